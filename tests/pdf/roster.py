"""A roster of names, made up for the tests, in many script families: every one must print
faithfully. Each entry is (family, name as typed or imported, BCP 47 language of the name or "").

Names are invented combinations of common given names and family names; none is a real person's.
"""

from __future__ import annotations

ARABIC = [
    "محمد عبد الله",
    "فاطمة الزهراء",
    "علاء سلام",
    "عبد الرحمن الخطيب",
    "ليلى بن علي",
    "يوسف الحسيني",
    "سلمى خليل",
    "بلال العلي",
    "نور الهدى",
    "خالد الأنصاري",
    "مُحَمَّد",
    "جلال صلاح",
]
PERSIAN = [
    "می\u200cنا رضایی",
    "محمد\u200cرضا کریمی",
    "علی\u200cاکبر تهرانی",
    "زهرا نوروزی",
    "پریسا گلستانی",
    "امیر\u200cحسین شریفی",
    "نگار پژوهش\u200cنیا",
    "فرشته یگانه",
    "کوروش زند",
    "مهسا خسروی\u200cپور",
]
HEBREW = [
    "דוד כהן",
    "שרה לוי",
    "יעל מזרחי",
    "אברהם פרץ",
    "רחל ביטון",
    "משה אזולאי",
    "נועה פרידמן",
    "יוסף אוחיון",
    "שָׁלוֹם",
    "תמר גולדשטיין",
]
MIXED_RTL_LATIN = [
    "Dr. דוד Smith",
    "Sarah לוי",
    "יעל Cohen-Levi",
    "Ahmed محمد Hassan",
    "ليلى Martin",
    "Rami خليل Jr.",
    "Noa נועה",
    "Omar عمر 2nd",
    "Maya מאיה Ruiz",
    "Karim كريم O'Neil",
]
DEVANAGARI = [
    "देवनागरी कुमार",
    "प्रिया शर्मा",
    "अर्जुन सिंह",
    "क्षितिज त्रिपाठी",
    "श्रुति द्विवेदी",
    "राहुल वर्मा",
    "स्नेहा कृष्णमूर्ति",
    "आदित्य पाण्डेय",
    "हर्षवर्धन",
    "ज्ञानेश्वरी",
]
THAI = [
    "สมชาย ใจดี",
    "สมศรี รักไทย",
    "ณัฐวุฒิ ศรีสุข",
    "กิตติพงษ์ วงศ์สวัสดิ์",
    "ปิยะนุช แก้วมณี",
    "ธนพล ทองคำ",
    "วรรณา พุ่มพวง",
    "ศุภชัย เลิศล้ำ",
    "อรุณี ปัญญาดี",
    "เพ็ญศรี ชื่นชม",
]
ETHIOPIC = [
    "ሰላም ታደሰ",
    "አበበ ቢቂላ",
    "መስከረም ደሳለኝ",
    "ዮሐንስ ገብረ",
    "ሔለን ተስፋዬ",
    "ብርሃኑ ጌታቸው",
    "ትዕግስት አለሙ",
    "ፀሐይ ወልደ",
]
GEORGIAN = [
    "ნინო ბერიძე",
    "გიორგი მაისურაძე",
    "თამარ კაპანაძე",
    "ლევან ჯავახიშვილი",
    "ეკატერინე გელაშვილი",
    "დავით ლომიძე",
    "ანა ცინცაძე",
    "ზურაბ ხარაიშვილი",
]
ARMENIAN = [
    "Արամ Խաչատրյան",
    "Անահիտ Սարգսյան",
    "Տիգրան Պետրոսյան",
    "Նարինե Հակոբյան",
    "Գևորգ Մկրտչյան",
    "Լուսինե Ավետիսյան",
    "Վահե Ղազարյան",
    "Մարիամ Գրիգորյան",
]
JAPANESE = [
    ("佐藤 花子", "ja"),
    ("山田 太郎", "ja"),
    ("高橋 直樹", "ja"),
    ("渡辺 さくら", "ja"),
    ("伊藤 健", "ja"),
    ("小林 美咲", "ja"),
    ("中村 翔太", "ja"),
    ("鈴木 一郎", "ja"),
]
SIMPLIFIED_CHINESE = [
    ("王小明", "zh-Hans"),
    ("李静", "zh-Hans"),
    ("张伟", "zh-Hans"),
    ("刘洋", "zh-Hans"),
    ("陈晓东", "zh-Hans"),
    ("杨丽华", "zh-Hans"),
    ("赵海角", "zh-Hans"),
    ("黄骨", "zh-Hans"),
]
TRADITIONAL_CHINESE = [
    ("王小明", "zh-Hant"),
    ("陳曉東", "zh-Hant"),
    ("林志豪", "zh-Hant"),
    ("黃美玲", "zh-Hant"),
    ("吳宗憲", "zh-Hant"),
    ("劉德華", "zh-Hant"),
    ("蔡直", "zh-Hant"),
    ("許海角", "zh-Hant"),
]
HONG_KONG = [
    ("陳大文", "zh-HK"),
    ("李嘉欣", "zh-HK"),
    ("黃家駒", "zh-HK"),
    ("梁朝偉", "zh-HK"),
    ("周海角", "zh-HK"),
    ("張骨直", "zh-HK"),
]
KOREAN = [
    ("김민준", "ko"),
    ("이서연", "ko"),
    ("박지훈", "ko"),
    ("최수아", "ko"),
    ("정하늘", "ko"),
    ("강민서", "ko"),
    ("윤도현", "ko"),
    ("金民俊", "ko"),
]
VIETNAMESE = [
    "Nguyễn Thị Minh Khai",
    "Trần Văn Ơn",
    "Lê Thị Hồng Gấm",
    "Phạm Quốc Việt",
    "Hoàng Thị Thủy",
    "Vũ Đức Thắng",
    "Đặng Thị Ngọc Ánh",
    "Bùi Xuân Trường",
    "Đỗ Mỹ Linh",
    "Huỳnh Tấn Phước",
]
GREEK = [
    "Ελένη Οικονόμου",
    "Γιώργος Παπαδόπουλος",
    "Δημήτρης Κωνσταντίνου",
    "Μαρία Αλεξίου",
    "Νίκος Βλάχος",
    "Σοφία Ιωάννου",
    "Αθηνά Χατζή",
    "Παναγιώτης Ξενάκης",
    "Ευαγγελία Ψαρρά",
    "Ϊάκωβος Ϋψηλάντης",
]
CYRILLIC = [
    "Олена Шевченко",
    "Дмитрий Иванов",
    "Анастасия Кузнецова",
    "Ђорђе Јовановић",
    "Љубица Његош",
    "Ёлка Щукина",
    "Їжак Ґудзь",
    "Айгүл Нұрланқызы",
    "Бахтияр Ўроқов",
    "Ярослава Підгірна",
]
# Base letter + combining marks with no precomposed form in Unicode.
COMBINING = [
    "O\u0323\u0300ru\u0301nmi\u0300la\u0300",  # Yoruba Ọ̀rúnmìlà
    "Ho\u0301zho\u0328\u0301",  # Navajo Hózhǫ́
    "Q\u0301uinn",
    "\u0131\u0308lker",
    "E\u0329\u0301bo\u0300",
    "Ade\u0300\u0323ye\u0301mi\u0300",
    "Nn\u0304amdi\u0300",
    "Ko\u031b\u0300fi",
    "Y\u0302\u0323saac",
    "M\u0308\u0301aria",
]
NFD_INPUT = [
    "Siobha\u0301n O\u0301 Su\u0301illeabha\u0301in",
    "Jose\u0301 Mari\u0301a Pe\u0301rez",
    "Franc\u0327ois Lefe\u0300vre",
    "Bjo\u0308rn A\u030angstro\u0308m",
    "Nguye\u0302\u0303n Thi\u0323",
    "Zo\u0308e Mu\u0308ller",
    "S\u030cime\u0301on Dvor\u030ca\u0301k",
    "Ren\u0303e Ibáñez",
    "E\u0301lodie Ce\u0301line",
    "\u0391\u0301\u03bd\u03bd\u03b1",
]
LONG = [
    "Maria Fernanda de los Ángeles Villanueva-Castellanos de la Fuente y Montgomery-Featherstonehaugh",
    "Alexandra Konstantina Papadopoulou-Wittgenstein van der Berghe-Oosterhuis y Castellanos",
    "Johann Gottfried Wilhelm Maximilian Friedrich von Hohenzollern-Sigmaringen zu Schwarzenberg "
    "und Lichtenstein-Rosenberg",
    "Pablo Diego José Francisco de Paula Juan Nepomuceno María de los Remedios Cipriano de la "
    "Santísima Trinidad Ruiz y Picasso",
    "Sri Venkata Subrahmanya Lakshminarasimha Chandrasekhara Ramanujacharya Kalyanasundaram "
    "Ayyangar Thiruvenkatachari Parthasarathy Rajagopalan",
    "Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Maximilian Alexander Wolfgang "
    "Christopher Sebastian Theodor Leopold Johannes",
    "Ngozi Chimamanda Adaeze Oluwaseun Chukwuemeka-Okonkwo Adebayo Oyelaran-Fashola Nwachukwu "
    "Ikechukwu Obiageli Ebere Chinwe Nkechinyere Amarachi Ifeoma",
    "Aurelia Constança Magalhães Vasconcelos de Albuquerque Bragança e Sousa Coutinho de "
    "Menezes Pereira da Silva Cavalcanti Figueiredo Lima Barros",
    "Maximiliana Alejandra Guadalupe de la Concepción Fernández-Villaseñor y Montenegro de Santa "
    "María Castellanos Ruiz de Alarcón Echeverría Zubizarreta Goikoetxea de los Santos Arrieta y "
    "Valdés Lima Ortz",
]
ONE_LETTER = ["A", "Ö", "ß", "Я", "Ω", "א", "ب", "王"]
APOSTROPHES_HYPHENS = [
    "Aisha D'Angelo",
    "Seán O'Brien-Murphy",
    "N'Golo Kanté",
    "Jean-Luc Picard",
    "Mary-Kate Olsen-Smith",
    "D’Arcy O’Shaughnessy",
    "Ke‘ala Kahananui",
    "ʻIolani Kamakau",
    "Anne‐Marie Dupont",
    "Zoë Saldaña-Perego",
    "Sinéad Ní Chonchúir-O'Neill",
    "Dmitri Sergeyevich-Korsakov",
]
LATIN = [
    "Siobhán Ó Súilleabháin",
    "Łukasz Żółkiewski",
    "Şükrü Yıldız",
    "Ærø Ødegård",
    "Þórunn Guðmundsdóttir",
    "Čeněk Řehoř",
    "İlkay Gündoğan",
    "Ğülşen Çağlar",
    "Ŀluís Ŀlobet",
    "Ȧṁḃėr Ḍāsh",
]
SYMBOLS_AND_EMOJI = ["Ana ★ Silva", "Ana 👩\u200d💻 Silva", "Leo 🦁", "Kim ♡ Lee", "Jo ✨ Park"]
OTHER_INDIC = ["தமிழ்செல்வி", "সুব্রত রায়", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "ಅನನ್ಯಾ ರಾವ್"]
SOFT_AND_INVISIBLE = ["Jean\u00adPaul Sartre", "Zoe\u200b Lin", "Mari\u2060a Lopez", "Ana\u00a0Lima"]

FAMILIES: dict[str, list[tuple[str, str]]] = {
    "Arabic": [(name, "ar") for name in ARABIC],
    "Persian (ZWNJ)": [(name, "fa") for name in PERSIAN],
    "Hebrew": [(name, "he") for name in HEBREW],
    "Hebrew/Arabic with Latin": [(name, "") for name in MIXED_RTL_LATIN],
    "Devanagari": [(name, "hi") for name in DEVANAGARI],
    "Thai": [(name, "th") for name in THAI],
    "Ethiopic": [(name, "am") for name in ETHIOPIC],
    "Georgian": [(name, "ka") for name in GEORGIAN],
    "Armenian": [(name, "hy") for name in ARMENIAN],
    "Japanese": JAPANESE,
    "Chinese (Simplified)": SIMPLIFIED_CHINESE,
    "Chinese (Traditional)": TRADITIONAL_CHINESE,
    "Chinese (Hong Kong)": HONG_KONG,
    "Korean": KOREAN,
    "Vietnamese": [(name, "vi") for name in VIETNAMESE],
    "Greek": [(name, "el") for name in GREEK],
    "Cyrillic": [(name, "") for name in CYRILLIC],
    "Latin combining sequences": [(name, "") for name in COMBINING],
    "NFD input": [(name, "") for name in NFD_INPUT],
    "Long (80–200 characters)": [(name, "") for name in LONG],
    "One letter": [(name, "") for name in ONE_LETTER],
    "Apostrophes and hyphens": [(name, "") for name in APOSTROPHES_HYPHENS],
    "Latin": [(name, "") for name in LATIN],
    "Symbols and emoji": [(name, "") for name in SYMBOLS_AND_EMOJI],
    "Other Indic scripts": [(name, "") for name in OTHER_INDIC],
    "Soft hyphen and invisibles": [(name, "") for name in SOFT_AND_INVISIBLE],
}
ROSTER: list[tuple[str, str, str]] = [
    (family, name, language) for family, names in FAMILIES.items() for name, language in names
]
