//! Amounts, quantities and dates read out in Mandarin as lists of prompt ids (the
//! `zh/…` prompts of `prompts/zh/prompts.tsv`), which the menu plays in order.
//!
//! Reading rules:
//! - Digits are 零 `digit-0`, 一 `num-1` (not the phone-style 幺 `digit-1`), 二…九
//!   `digit-2`…`digit-9`; units 十 百 千 within a group of four digits, and the groups
//!   are 万 (10⁴) and 亿 (10⁸), recursively (一万亿, 一亿亿).
//! - One 零 stands for any run of zeros between non-zero digits, also across groups
//!   (101 → 一百零一, 100000005 → 一亿零五, 10010 → 一万零一十); trailing zeros are
//!   silent (1000 → 一千).
//! - A number starting 一十 is read 十 (10 → 十, 100000 → 十万), but not inside a
//!   number (110 → 一百一十).
//! - An amount is the yuan (元), then 角 and 分 when not zero: 10.50 → 十元五角,
//!   10.05 → 十元零五分 (零 when the 角 is missing after some yuan),
//!   1000.01 → 一千元零一分; with no whole yuan only the cents are read (0.05 → 五分,
//!   0.50 → 五角); zero is 零元; a whole amount has no 整. Negative amounts start with
//!   负 `negative`.
//! - A date is the month and the day as quantities (十一月二十二日), then 上午/下午,
//!   or the hour of the day (十四点, 零点).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::money::Cents;
use super::orders::HalfDay;

/// Every prompt a quantity can be read with (`speak_integer`).
pub const NUMBER_WORDS: [&str; 15] = [
    "digit-0",
    "num-1",
    "digit-2",
    "digit-3",
    "digit-4",
    "digit-5",
    "digit-6",
    "digit-7",
    "digit-8",
    "digit-9",
    "num-10",
    "num-100",
    "num-1000",
    "num-10000",
    "num-100000000",
];
/// The words an amount adds to the numbers (`speak_amount`).
pub const AMOUNT_WORDS: [&str; 4] = ["negative", "yuan", "jiao", "fen"];
/// The words a date or time adds to the numbers (`speak_date`, `speak_date_hour`).
pub const DATE_WORDS: [&str; 5] = ["month", "day", "morning", "afternoon", "o-clock"];

const WAN: u64 = 10_000;
const YI: u64 = 100_000_000;

/// 一百二十三元四角五分 etc. Negative: "negative" first (负). 0 → ["digit-0", "yuan"].
pub fn speak_amount(amount: Cents) -> Vec<&'static str> {
    let mut out = Vec::new();
    if amount.is_negative() {
        out.push("negative");
    }
    let abs = amount.0.unsigned_abs();
    let (whole, jiao, fen) = (abs / 100, abs / 10 % 10, abs % 10);
    if whole > 0 || abs == 0 {
        out.extend(speak_integer(whole));
        out.push("yuan");
    }
    if jiao > 0 {
        out.extend([digit(jiao), "jiao"]);
    }
    if fen > 0 {
        if jiao == 0 && whole > 0 {
            out.push("digit-0");
        }
        out.extend([digit(fen), "fen"]);
    }
    out
}

/// A whole number read as a quantity (一千零一, 十, 二十): for positions, days, months.
pub fn speak_integer(n: u64) -> Vec<&'static str> {
    let mut out = Vec::new();
    if n == 0 {
        out.push("digit-0");
    } else {
        quantity(n, true, &mut out);
    }
    out
}

/// "十一月二十二日上午": month, "month", day, "day", "morning"|"afternoon".
pub fn speak_date(date: NaiveDate, half: HalfDay) -> Vec<&'static str> {
    let mut out = speak_integer(u64::from(date.month()));
    out.push("month");
    out.extend(speak_integer(u64::from(date.day())));
    out.push("day");
    out.push(match half {
        HalfDay::Morning => "morning",
        HalfDay::Afternoon => "afternoon",
    });
    out
}

/// "十一月二十八日十四点": month, "month", day, "day", the hour (0–23), "o-clock".
pub fn speak_date_hour(at: NaiveDateTime) -> Vec<&'static str> {
    let mut out = speak_integer(u64::from(at.month()));
    out.push("month");
    out.extend(speak_integer(u64::from(at.day())));
    out.push("day");
    out.extend(speak_integer(u64::from(at.hour())));
    out.push("o-clock");
    out
}

/// `n > 0`; `leading` when nothing is read before it (一十 → 十).
fn quantity(n: u64, leading: bool, out: &mut Vec<&'static str>) {
    if n >= YI {
        grouped(n, YI, "num-100000000", leading, out);
    } else if n >= WAN {
        grouped(n, WAN, "num-10000", leading, out);
    } else {
        below_wan(n, leading, out);
    }
}

/// The part above `base` with its unit, then the rest; 零 when the rest does not reach
/// the highest digit under the unit.
fn grouped(n: u64, base: u64, unit: &'static str, leading: bool, out: &mut Vec<&'static str>) {
    quantity(n / base, leading, out);
    out.push(unit);
    let rest = n % base;
    if rest > 0 {
        if rest < base / 10 {
            out.push("digit-0");
        }
        quantity(rest, false, out);
    }
}

/// `0 < n < 10000`: 千 百 十 and the units, one 零 per inner run of zeros.
fn below_wan(n: u64, leading: bool, out: &mut Vec<&'static str>) {
    let places = [
        (n / 1000, Some("num-1000")),
        (n / 100 % 10, Some("num-100")),
        (n / 10 % 10, Some("num-10")),
        (n % 10, None),
    ];
    let mut started = false;
    let mut zero = false;
    for (d, unit) in places {
        if d == 0 {
            zero |= started;
            continue;
        }
        if zero {
            out.push("digit-0");
            zero = false;
        }
        let bare_ten = d == 1 && unit == Some("num-10") && leading && !started;
        if !bare_ten {
            out.push(digit(d));
        }
        out.extend(unit);
        started = true;
    }
}

/// One digit as a quantity: 一 is `num-1`, the others the digit prompts.
fn digit(d: u64) -> &'static str {
    NUMBER_WORDS[(d % 10) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prompts as their characters, so a test reads like the Mandarin.
    fn hanzi(ids: &[&str]) -> String {
        ids.iter()
            .map(|id| match *id {
                "digit-0" => "零",
                "num-1" => "一",
                "digit-2" => "二",
                "digit-3" => "三",
                "digit-4" => "四",
                "digit-5" => "五",
                "digit-6" => "六",
                "digit-7" => "七",
                "digit-8" => "八",
                "digit-9" => "九",
                "num-10" => "十",
                "num-100" => "百",
                "num-1000" => "千",
                "num-10000" => "万",
                "num-100000000" => "亿",
                "yuan" => "元",
                "jiao" => "角",
                "fen" => "分",
                "negative" => "负",
                "month" => "月",
                "day" => "日",
                "morning" => "上午",
                "afternoon" => "下午",
                "o-clock" => "点",
                other => panic!("not a number prompt: {other}"),
            })
            .collect()
    }

    fn amount(text: &str) -> String {
        hanzi(&speak_amount(text.parse().unwrap()))
    }

    fn integer(n: u64) -> String {
        hanzi(&speak_integer(n))
    }

    #[test]
    fn the_required_amounts() {
        assert_eq!(speak_amount(Cents(0)), ["digit-0", "yuan"]);
        assert_eq!(amount("0"), "零元");
        assert_eq!(amount("0.05"), "五分");
        assert_eq!(amount("10"), "十元");
        assert_eq!(amount("10.5"), "十元五角");
        assert_eq!(amount("101"), "一百零一元");
        assert_eq!(amount("1000.01"), "一千元零一分");
        assert_eq!(amount("10000"), "一万元");
        assert_eq!(amount("100000005.60"), "一亿零五元六角");
        assert_eq!(amount("-35.20"), "负三十五元二角");
    }

    #[test]
    fn cents_are_read_after_the_yuan_with_one_zero_when_jiao_is_missing() {
        assert_eq!(amount("123.45"), "一百二十三元四角五分");
        assert_eq!(amount("10.05"), "十元零五分");
        assert_eq!(amount("10.50"), "十元五角");
        assert_eq!(amount("0.50"), "五角");
        assert_eq!(amount("0.55"), "五角五分");
        assert_eq!(amount("110"), "一百一十元");
        assert_eq!(amount("-0.05"), "负五分");
        assert_eq!(amount("2.00"), "二元");
    }

    #[test]
    fn a_leading_one_ten_is_read_ten_only_at_the_start() {
        assert_eq!(integer(10), "十");
        assert_eq!(integer(12), "十二");
        assert_eq!(integer(20), "二十");
        assert_eq!(integer(110), "一百一十");
        assert_eq!(integer(100_000), "十万");
        assert_eq!(integer(150_000), "十五万");
        assert_eq!(integer(10_010), "一万零一十");
        assert_eq!(integer(1_000_000_000), "十亿");
    }

    #[test]
    fn one_zero_for_each_run_of_zeros_also_across_groups() {
        assert_eq!(integer(0), "零");
        assert_eq!(integer(1), "一");
        assert_eq!(integer(101), "一百零一");
        assert_eq!(integer(1001), "一千零一");
        assert_eq!(integer(1010), "一千零一十");
        assert_eq!(integer(1000), "一千");
        assert_eq!(integer(10_005), "一万零五");
        assert_eq!(integer(10_050), "一万零五十");
        assert_eq!(integer(12_000), "一万二千");
        assert_eq!(integer(100_000_005), "一亿零五");
        assert_eq!(integer(100_010_000), "一亿零一万");
        assert_eq!(integer(110_000_000), "一亿一千万");
        assert_eq!(integer(100_100_000), "一亿零一十万");
        assert_eq!(integer(123_456_789), "一亿二千三百四十五万六千七百八十九");
        assert_eq!(integer(1_500_000_000_000), "一万五千亿");
        assert_eq!(integer(10_000_000_000_000_000), "一亿亿");
    }

    #[test]
    fn the_largest_amounts_are_read_without_panicking() {
        assert_eq!(speak_amount(Cents(i64::MIN))[0], "negative");
        assert!(speak_amount(Cents(i64::MAX)).ends_with(&["digit-7", "fen"]));
        assert_eq!(
            integer(u64::MAX),
            "一千八百四十四亿六千七百四十四万零七百三十七亿零九百五十五万一千六百一十五"
        );
    }

    #[test]
    fn dates_read_month_day_and_half_day() {
        let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(
            hanzi(&speak_date(date(11, 22), HalfDay::Morning)),
            "十一月二十二日上午"
        );
        assert_eq!(
            hanzi(&speak_date(date(3, 10), HalfDay::Afternoon)),
            "三月十日下午"
        );
        assert_eq!(
            speak_date(date(1, 1), HalfDay::Morning),
            ["num-1", "month", "num-1", "day", "morning"]
        );
    }

    #[test]
    fn a_time_reads_month_day_and_the_hour() {
        let at = |m, d, h| {
            NaiveDate::from_ymd_opt(2026, m, d)
                .unwrap()
                .and_hms_opt(h, 30, 0)
                .unwrap()
        };
        assert_eq!(
            hanzi(&speak_date_hour(at(11, 28, 14))),
            "十一月二十八日十四点"
        );
        assert_eq!(hanzi(&speak_date_hour(at(1, 2, 0))), "一月二日零点");
        assert_eq!(
            hanzi(&speak_date_hour(at(12, 31, 10))),
            "十二月三十一日十点"
        );
    }
}
