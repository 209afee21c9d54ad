//! Hong Kong names: common surnames with their Cantonese romanisation and rough frequency, and
//! given-name characters by sex. Combinations are fictitious.

/// (Chinese, romanised, weight)
pub const SURNAMES: &[(&str, &str, u32)] = &[
    ("陳", "CHAN", 90), ("李", "LEE", 55), ("張", "CHEUNG", 45), ("黃", "WONG", 80), ("何", "HO", 30),
    ("林", "LAM", 35), ("梁", "LEUNG", 40), ("吳", "NG", 30), ("劉", "LAU", 30), ("蔡", "CHOI", 15),
    ("鄭", "CHENG", 18), ("謝", "TSE", 14), ("郭", "KWOK", 12), ("楊", "YEUNG", 15), ("曾", "TSANG", 14),
    ("羅", "LAW", 14), ("周", "CHOW", 14), ("馬", "MA", 10), ("麥", "MAK", 10), ("葉", "YIP", 12),
    ("朱", "CHU", 11), ("胡", "WU", 9), ("許", "HUI", 10), ("鄧", "TANG", 12), ("馮", "FUNG", 10),
    ("袁", "YUEN", 7), ("蘇", "SO", 7), ("盧", "LO", 9), ("潘", "POON", 7), ("余", "YU", 7),
    ("譚", "TAM", 9), ("莫", "MOK", 6), ("區", "AU", 5), ("鍾", "CHUNG", 8), ("江", "KONG", 5),
    ("廖", "LIU", 5), ("方", "FONG", 6), ("石", "SHEK", 3), ("范", "FAN", 3), ("姚", "YIU", 4),
];

/// Given-name characters: (Chinese, romanised).
pub const GIVEN_F: &[(&str, &str)] = &[
    ("嘉", "Ka"), ("欣", "Yan"), ("詠", "Wing"), ("芷", "Tsz"), ("美", "Mei"), ("玲", "Ling"),
    ("淑", "Suk"), ("慧", "Wai"), ("婷", "Ting"), ("敏", "Man"), ("思", "Sze"), ("穎", "Wing"),
    ("晴", "Ching"), ("雅", "Nga"), ("珊", "Shan"), ("麗", "Lai"), ("芳", "Fong"), ("燕", "Yin"),
    ("凱", "Hoi"), ("琪", "Kei"), ("潔", "Kit"), ("卓", "Cheuk"), ("曉", "Hiu"), ("彩", "Choi"),
];

pub const GIVEN_M: &[(&str, &str)] = &[
    ("偉", "Wai"), ("明", "Ming"), ("志", "Chi"), ("華", "Wah"), ("家", "Ka"), ("俊", "Chun"),
    ("浩", "Ho"), ("文", "Man"), ("豪", "Ho"), ("傑", "Kit"), ("健", "Kin"), ("國", "Kwok"),
    ("強", "Keung"), ("朗", "Long"), ("軒", "Hin"), ("子", "Tsz"), ("大", "Tai"), ("德", "Tak"),
    ("永", "Wing"), ("耀", "Yiu"), ("峰", "Fung"), ("輝", "Fai"), ("柏", "Pak"), ("樂", "Lok"),
];
