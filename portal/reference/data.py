"""The reference data the portal starts with; `flask reference load` upserts it by code."""

from typing import Any

PLATFORMS = [
    ("instagram", "Instagram", "Instagram"),
    ("facebook", "Facebook", "Facebook"),
    ("x", "X (Twitter)", "X (Twitter)"),
    ("tiktok", "TikTok", "TikTok"),
    ("youtube", "YouTube", "YouTube"),
    ("whatsapp", "WhatsApp", "WhatsApp"),
    ("other", "Lainnya", "Other"),
]

PLATFORM_QUESTION = {
    "code": "platform",
    "type": "select",
    "required": True,
    "label_id": "Platform media sosial",
    "label_en": "Social media platform",
    "choices": [{"value": v, "label_id": i, "label_en": e} for v, i, e in PLATFORMS],
}
ACCOUNT_QUESTION = {
    "code": "account_handle",
    "type": "text",
    "required": True,
    "label_id": "Nama akun yang dilaporkan (mis. @diskominfo.lubuklinggau)",
    "label_en": "Reported account (e.g. @diskominfo.lubuklinggau)",
}
SOCIAL = [PLATFORM_QUESTION, ACCOUNT_QUESTION]

TEAMS = [
    {"slug": "bawaslu-sumsel", "name": "Bawaslu Provinsi Sumatera Selatan"},
    {"slug": "inspektorat-sumsel", "name": "Inspektorat Provinsi Sumatera Selatan"},
]

ELECTION = {
    "group": "neutrality",
    "deadline_days": 7,
    "regime": "pilkada",  # the founding case is a Pilkada; set per category in the admin pages
    "default_team": "bawaslu-sumsel",
}
SERVICE = {
    "group": "service",
    "deadline_days": 14,
    "deadline_working_days": True,
    "regime": None,  # public service: its service deadline, no legal window
    "default_team": "inspektorat-sumsel",
}

CATEGORIES: list[dict[str, Any]] = [
    {
        **ELECTION,
        "code": "asn-medsos-posting",
        "questions": SOCIAL,
        "name_id": "Netralitas ASN: posting kampanye di media sosial",
        "name_en": "Civil-servant neutrality: posting campaign material on social media",
        "description_id": "ASN atau akun resmi instansi mengunggah materi kampanye calon.",
        "description_en": "A civil servant or an official account posts a candidate's campaign "
        "material.",
    },
    {
        **ELECTION,
        "code": "asn-medsos-interaksi",
        "questions": SOCIAL,
        "name_id": "Netralitas ASN: membagikan, menyukai atau mengomentari konten kampanye",
        "name_en": "Civil-servant neutrality: sharing, liking or commenting on campaign content",
        "description_id": "ASN membagikan, menyukai atau mengomentari unggahan kampanye.",
        "description_en": "A civil servant shares, likes or comments on campaign posts.",
    },
    {
        **ELECTION,
        "code": "asn-hadir-kampanye",
        "questions": [],
        "name_id": "Netralitas ASN: menghadiri atau ikut serta dalam kampanye",
        "name_en": "Civil-servant neutrality: attending or taking part in a campaign",
        "description_id": "ASN hadir, menjadi peserta atau panitia kegiatan kampanye.",
        "description_en": "A civil servant attends, joins or organises a campaign event.",
    },
    {
        **ELECTION,
        "code": "asn-foto-calon",
        "questions": [],
        "name_id": "Netralitas ASN: berfoto dengan calon atau simbol pasangan calon",
        "name_en": "Civil-servant neutrality: posing with a candidate or their symbols",
        "description_id": "ASN berfoto bersama calon atau dengan gestur/simbol pasangan calon.",
        "description_en": "A civil servant poses with a candidate or shows a candidate's "
        "gesture or symbol.",
    },
    {
        **ELECTION,
        "code": "akun-resmi-kampanye",
        "questions": SOCIAL,
        "name_id": "Akun resmi pemerintah dipakai untuk kampanye",
        "name_en": "Official government account used for campaigning",
        "description_id": "Akun media sosial resmi instansi pemerintah memuat materi kampanye.",
        "description_en": "An official social media account of a government agency carries "
        "campaign material.",
    },
    {
        **ELECTION,
        "code": "fasilitas-negara",
        "questions": [
            {
                "code": "facility",
                "type": "text",
                "required": True,
                "label_id": "Fasilitas yang dipakai (kendaraan dinas, gedung, anggaran, ...)",
                "label_en": "Facility used (official vehicle, building, budget, ...)",
            },
            {
                "code": "plate_number",
                "type": "text",
                "required": False,
                "label_id": "Nomor polisi kendaraan (jika ada)",
                "label_en": "Vehicle plate number (if any)",
            },
        ],
        "name_id": "Penggunaan kendaraan, gedung atau fasilitas negara untuk kampanye",
        "name_en": "Use of official vehicles, buildings or facilities for campaigning",
        "description_id": "Fasilitas milik negara dipakai untuk kepentingan calon.",
        "description_en": "State property is used for a candidate's benefit.",
    },
    {
        **ELECTION,
        "group": "money_politics",
        "code": "politik-uang",
        "questions": [
            {
                "code": "given",
                "type": "text",
                "required": True,
                "label_id": "Apa yang diberikan (uang, sembako, barang)",
                "label_en": "What was given (money, food parcels, goods)",
            }
        ],
        "name_id": "Politik uang: pemberian uang atau barang untuk memengaruhi pilihan",
        "name_en": "Money politics: money or goods given to sway votes",
        "description_id": "Pemberian atau janji uang/barang agar memilih atau tidak memilih calon.",
        "description_en": "Money or goods given or promised to vote, or not vote, for a candidate.",
    },
    {
        **SERVICE,
        "code": "layanan-publik",
        "questions": [],
        "name_id": "Pengaduan pelayanan publik",
        "name_en": "Public service complaint",
        "description_id": "Pelayanan yang lambat, ditolak, atau tidak sesuai standar.",
        "description_en": "A public service that is slow, refused, or below standard.",
    },
    {
        **SERVICE,
        "code": "pungli",
        "questions": [],
        "name_id": "Pungutan liar dalam pelayanan publik",
        "name_en": "Illegal fees in public services",
        "description_id": "Diminta membayar di luar tarif resmi untuk sebuah layanan.",
        "description_en": "Being asked to pay beyond the official fee for a service.",
    },
]

PROVINCE = ("16", "Sumatera Selatan")
REGIONS = [
    ("16.01", "Kabupaten Ogan Komering Ulu", "regency"),
    ("16.02", "Kabupaten Ogan Komering Ilir", "regency"),
    ("16.03", "Kabupaten Muara Enim", "regency"),
    ("16.04", "Kabupaten Lahat", "regency"),
    ("16.05", "Kabupaten Musi Rawas", "regency"),
    ("16.06", "Kabupaten Musi Banyuasin", "regency"),
    ("16.07", "Kabupaten Banyuasin", "regency"),
    ("16.08", "Kabupaten Ogan Komering Ulu Selatan", "regency"),
    ("16.09", "Kabupaten Ogan Komering Ulu Timur", "regency"),
    ("16.10", "Kabupaten Ogan Ilir", "regency"),
    ("16.11", "Kabupaten Empat Lawang", "regency"),
    ("16.12", "Kabupaten Penukal Abab Lematang Ilir", "regency"),
    ("16.13", "Kabupaten Musi Rawas Utara", "regency"),
    ("16.71", "Kota Palembang", "city"),
    ("16.72", "Kota Prabumulih", "city"),
    ("16.73", "Kota Pagar Alam", "city"),
    ("16.74", "Kota Lubuk Linggau", "city"),
]
