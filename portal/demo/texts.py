"""Texts of the demo history (portal.demo.history): parties, reports, decisions (Indonesian)."""

# Category code -> (weight, link kind, parties, report descriptions with {party})
CATEGORIES = {
    "asn-medsos-posting": (
        22,
        "instagram",
        [
            "ASN Dinas Pendidikan",
            "Guru PNS SMP Negeri 4",
            "Pegawai Dinas Kesehatan",
            "Sekretaris Kelurahan Taba Jemekeh",
            "Kepala Bidang Dinas PUPR",
            "Staf Kantor Camat",
        ],
        [
            "{party} mengunggah poster kampanye salah satu pasangan calon di akun pribadinya.",
            "{party} memasang foto calon dengan ajakan memilih di status media sosial.",
            "Unggahan {party} berisi visi-misi calon dan tagar pemenangan.",
        ],
    ),
    "asn-medsos-interaksi": (
        12,
        "facebook",
        [
            "Pegawai Disdukcapil",
            "Lurah Pasar Satelit",
            "Guru PNS SD Negeri 12",
            "Kepala Puskesmas Perumnas",
            "Staf Dinas Sosial",
        ],
        [
            "{party} membagikan ulang video kampanye dan menulis komentar dukungan.",
            "{party} menyukai dan mengomentari unggahan pasangan calon dengan kalimat ajakan.",
        ],
    ),
    "asn-hadir-kampanye": (
        12,
        "youtube",
        [
            "Kepala Sekolah SD Negeri 7",
            "Camat Lubuk Linggau Utara II",
            "Pegawai BPBD",
            "Lurah Sukajadi",
            "Kepala Seksi Dinas Pertanian",
        ],
        [
            "{party} hadir dan berpidato di acara kampanye pada jam kerja.",
            "{party} terlihat menjadi panitia dalam kegiatan kampanye akbar.",
        ],
    ),
    "asn-foto-calon": (
        8,
        "instagram",
        [
            "Pegawai Satpol PP",
            "Bidan Puskesmas",
            "Staf Bappeda",
            "Guru PNS SMA Negeri 2",
        ],
        [
            "{party} berfoto bersama calon sambil mengacungkan simbol jari nomor urut.",
            "Foto {party} berpose dengan gestur pasangan calon beredar di grup WhatsApp warga.",
        ],
    ),
    "akun-resmi-kampanye": (
        10,
        "instagram",
        [
            "Akun resmi Dinas Pariwisata",
            "Akun resmi Kecamatan Lubuk Linggau Timur",
            "Akun resmi RSUD",
            "Akun resmi Dinas Kominfo",
        ],
        [
            "{party} memuat ucapan yang menampilkan foto dan nomor urut calon.",
            "{party} mengunggah video kegiatan calon dengan narasi kampanye.",
        ],
    ),
    "fasilitas-negara": (
        8,
        "tiktok",
        [
            "Dinas Perhubungan",
            "Kantor Kecamatan",
            "Gedung Serbaguna Pemerintah Kota",
            "Dinas Lingkungan Hidup",
        ],
        [
            "Kendaraan dinas milik {party} dipakai mengangkut atribut kampanye.",
            "Fasilitas {party} dipakai untuk pertemuan tim pemenangan calon.",
        ],
    ),
    "politik-uang": (
        13,
        "tiktok",
        [
            "Tim sukses pasangan calon",
            "Relawan calon di tingkat RT",
            "Koordinator kelurahan tim calon",
        ],
        [
            "{party} membagikan amplop berisi uang Rp100.000 kepada warga agar memilih "
            "calon tertentu.",
            "{party} membagikan paket sembako dengan stiker pasangan calon.",
        ],
    ),
    "layanan-publik": (
        8,
        "facebook",
        [
            "Kantor Disdukcapil",
            "Puskesmas Petanang",
            "Kantor Kelurahan",
            "RSUD Siti Aisyah",
        ],
        [
            "Pelayanan di {party} berhenti berjam-jam tanpa pemberitahuan.",
            "Permohonan dokumen di {party} tidak diproses lebih dari sebulan.",
        ],
    ),
    "pungli": (
        7,
        "facebook",
        [
            "Kantor Kelurahan",
            "Loket Samsat",
            "Kantor Kecamatan",
            "Sekolah negeri",
        ],
        [
            "Warga diminta membayar uang tambahan di {party} agar berkas cepat selesai.",
            "Petugas {party} meminta biaya di luar tarif resmi untuk surat keterangan.",
        ],
    ),
}
# Region code -> weight: most reports come from Lubuk Linggau (the demo team) and Palembang.
REGIONS = {"16.74": 45, "16.71": 30, "16.05": 7, "16.13": 5, "16.72": 5, "16.04": 4, "16.03": 4}

DECISIONS = {
    "substantiated": "Terbukti. Klarifikasi terhadap terlapor dan bukti unggahan/foto menunjukkan "
    "pelanggaran.",
    "not_substantiated": "Tidak terbukti. Bukti yang ada tidak cukup menunjukkan pelanggaran.",
    "referred_elsewhere": "Di luar kewenangan tim ini; laporan diteruskan ke instansi yang "
    "berwenang.",
}
REJECTIONS = {
    "spam": "Laporan tidak berisi keterangan yang dapat ditindaklanjuti.",
    "out_of_scope": "Peristiwa yang dilaporkan bukan pelanggaran netralitas atau pelayanan "
    "publik yang kami tangani.",
}
PUBLIC_SUMMARIES = {
    "substantiated": "Setelah memeriksa bukti dan mengklarifikasi pihak terlapor, kami menyatakan "
    "laporan tentang {party} terbukti. {follow}",
    "not_substantiated": "Laporan tentang {party} telah diperiksa. Bukti yang tersedia tidak "
    "cukup untuk menyatakan adanya pelanggaran, sehingga laporan dinyatakan "
    "tidak terbukti.",
    "referred_elsewhere": "Laporan tentang {party} berada di luar kewenangan kami dan telah "
    "diteruskan kepada instansi yang berwenang. {follow}",
    "open": "Laporan tentang {party} diterima dari banyak warga dan sedang kami periksa. "
    "Perkembangan akan diumumkan di halaman ini.",
}
FOLLOW_UP = {
    "bkn": "Rekomendasi sanksi disiplin telah dikirim ke BKN.",
    "bawaslu": "Temuan telah diteruskan ke Bawaslu untuk ditindaklanjuti.",
    "inspektorat": "Temuan telah diteruskan ke Inspektorat untuk pemeriksaan lebih lanjut.",
    "police": "Temuan telah diteruskan ke Sentra Gakkumdu/Kepolisian.",
    "ombudsman": "Temuan telah diteruskan ke Ombudsman.",
    None: "Terlapor telah diberi teguran tertulis.",
}
SANCTIONS = [
    "Hukuman disiplin sedang: penundaan kenaikan pangkat satu tahun.",
    "Teguran tertulis dari pejabat pembina kepegawaian.",
    "Pernyataan tidak puas secara tertulis.",
    "Pengembalian uang pungutan kepada warga dan mutasi petugas.",
]
