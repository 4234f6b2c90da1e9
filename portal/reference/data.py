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

GROUPS = ("election", "neutrality", "service")  # the order residents see them in

BAWASLU = {"deadline_days": 7, "regime": "pilkada", "default_team": "bawaslu-sumsel"}
ELECTION = {**BAWASLU, "group": "election"}
NEUTRALITY = {**BAWASLU, "group": "neutrality"}
SERVICE = {
    "group": "service",
    "deadline_days": 14,
    "deadline_working_days": True,
    "regime": None,  # public service: its service deadline, no legal window
    "default_team": "inspektorat-sumsel",
}

CATEGORIES: list[dict[str, Any]] = [
    {
        **NEUTRALITY,
        "code": "asn-medsos-posting",
        "questions": SOCIAL,
        "name_id": "Netralitas ASN: posting kampanye di media sosial",
        "name_en": "Civil-servant neutrality: posting campaign material on social media",
        "description_id": "Seorang ASN mengunggah materi kampanye dari akun pribadinya "
        "(bukan akun resmi instansi).",
        "description_en": "A civil servant posts campaign material from their own personal "
        "account (not an official agency account).",
        "example_id": "Seorang guru PNS mengunggah poster calon bupati di Facebook pribadinya "
        "dengan ajakan memilih.",
        "example_en": "A state-school teacher posts a regent candidate's poster on their own "
        "Facebook, asking friends to vote for them.",
    },
    {
        **NEUTRALITY,
        "code": "akun-resmi-kampanye",
        "questions": SOCIAL,
        "name_id": "Akun resmi pemerintah dipakai untuk kampanye",
        "name_en": "Official government account used for campaigning",
        "description_id": "Akun media sosial resmi dinas, kantor atau pemerintah daerah memuat "
        "materi kampanye (bukan akun pribadi).",
        "description_en": "The official social media account of an agency, office or local "
        "government carries campaign material (not a personal account).",
        "example_id": "Akun Instagram resmi Diskominfo kota mengunggah foto calon wali kota "
        "lengkap dengan nomor urutnya.",
        "example_en": "The city communications office's official Instagram posts a mayoral "
        "candidate's photo with their ballot number.",
    },
    {
        **NEUTRALITY,
        "code": "asn-medsos-interaksi",
        "questions": SOCIAL,
        "name_id": "Netralitas ASN: membagikan, menyukai atau mengomentari konten kampanye",
        "name_en": "Civil-servant neutrality: sharing, liking or commenting on campaign content",
        "description_id": "Seorang ASN membagikan, menyukai atau mengomentari unggahan kampanye "
        "orang lain.",
        "description_en": "A civil servant shares, likes or comments on someone else's "
        "campaign post.",
        "example_id": "Seorang pegawai kecamatan membagikan video kampanye calon ke grup "
        "WhatsApp warga.",
        "example_en": "A district office employee forwards a candidate's campaign video to a "
        "neighbourhood WhatsApp group.",
    },
    {
        **NEUTRALITY,
        "code": "asn-hadir-kampanye",
        "questions": [],
        "name_id": "Netralitas ASN: menghadiri atau ikut serta dalam kampanye",
        "name_en": "Civil-servant neutrality: attending or taking part in a campaign",
        "description_id": "Seorang ASN hadir, menjadi peserta atau panitia kegiatan kampanye.",
        "description_en": "A civil servant attends, joins or helps run a campaign event.",
        "example_id": "Kepala sekolah negeri ikut berpidato di panggung kampanye calon gubernur.",
        "example_en": "A state-school head teacher gives a speech on a governor candidate's "
        "campaign stage.",
    },
    {
        **NEUTRALITY,
        "code": "asn-foto-calon",
        "questions": [],
        "name_id": "Netralitas ASN: berfoto dengan calon atau simbol pasangan calon",
        "name_en": "Civil-servant neutrality: posing with a candidate or their symbols",
        "description_id": "Seorang ASN berfoto bersama calon, atau dengan gestur jari atau "
        "simbol pasangan calon.",
        "description_en": "A civil servant poses with a candidate, or with a candidate's hand "
        "sign or symbol.",
        "example_id": "Pegawai dinas berseragam berfoto mengacungkan dua jari, nomor urut "
        "salah satu calon.",
        "example_en": "Uniformed agency staff pose holding up two fingers, one candidate's "
        "ballot number.",
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
        "description_id": "Barang milik negara (mobil dinas, gedung, anggaran) dipakai untuk "
        "kepentingan calon.",
        "description_en": "State property (official cars, buildings, public money) is used for "
        "a candidate's benefit.",
        "example_id": "Mobil dinas berpelat merah mengangkut spanduk dan peserta ke lokasi "
        "kampanye.",
        "example_en": "An official red-plate car carries banners and supporters to a campaign "
        "rally.",
    },
    {
        **ELECTION,
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
        "description_id": "Uang atau barang diberikan atau dijanjikan agar orang memilih, atau "
        "tidak memilih, seorang calon.",
        "description_en": "Money or goods are given or promised so that people vote, or do not "
        "vote, for a candidate.",
        "example_id": "Tim sukses membagikan amplop berisi uang dan kartu bergambar calon dari "
        "rumah ke rumah.",
        "example_en": "Campaign workers hand out envelopes of cash with a candidate's card "
        "from door to door.",
    },
    {
        **SERVICE,
        "code": "layanan-publik",
        "questions": [],
        "name_id": "Pengaduan pelayanan publik",
        "name_en": "Public service complaint",
        "description_id": "Layanan pemerintah yang lambat, ditolak, atau tidak sesuai standarnya.",
        "description_en": "A government service that is slow, refused, or below its own standard.",
        "example_id": "Pengurusan KTP elektronik di Disdukcapil tak selesai setelah tiga bulan "
        "tanpa penjelasan.",
        "example_en": "An ID card application at the civil registry is still not done after "
        "three months, with no reason given.",
    },
    {
        **SERVICE,
        "code": "pungli",
        "questions": [],
        "name_id": "Pungutan liar dalam pelayanan publik",
        "name_en": "Illegal fees in public services",
        "description_id": "Diminta membayar di luar tarif resmi untuk sebuah layanan.",
        "description_en": "Being asked to pay more than the official fee for a service.",
        "example_id": "Petugas meminta Rp100.000 “uang rokok” agar akta kelahiran yang gratis "
        "cepat selesai.",
        "example_en": "An officer asks for Rp100,000 “cigarette money” to speed up a birth "
        "certificate that is free by law.",
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
