#!/usr/bin/env python3
"""Writes demo/lines.csv: 30 invented subscriber lines in each of the 11 prefectures of
config/prefectures.yaml, every kind, status and tier. Deterministic (fixed seed).

    python3 demo/make_lines.py > demo/lines.csv
"""
import csv
import random
import sys

PREFECTURES = [  # code, area code, logical broadband (104…/108…)
    ("jinghe", "0551", True), ("qingshan", "0552", False), ("baiyun", "0553", False),
    ("lanxi", "0554", True), ("songling", "0555", False), ("yunmeng", "0556", False),
    ("heyang", "0557", False), ("shicheng", "0558", False), ("taoyuan", "0559", False),
    ("lingnan", "0562", False), ("meishan", "0563", False),
]
KINDS = ["landline"] * 10 + ["broadband"] * 9 + ["wireless-broadband"] * 5 + \
    ["public-card-phone"] * 3 + ["leased-line"] * 3
STATUSES = ["active"] * 24 + ["suspended-arrears"] * 3 + \
    ["suspended-number-retained", "vacant", "vacant"][:3]
TIERS = ["diamond"] + ["gold"] * 3 + ["silver"] * 6 + ["ordinary"] * 20
SURNAMES = "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗".split()
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 平".split()


def main():
    rng = random.Random(4)
    used = set()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["number", "kind", "prefecture", "status", "tier", "big_customer",
                  "leased_line", "owner_name", "contact_phone", "contract_number"])
    serial = 0
    for code, area, logical in PREFECTURES:
        kinds = KINDS[:]
        statuses = STATUSES[:]
        rng.shuffle(kinds)
        rng.shuffle(statuses)
        for kind, status in zip(kinds, statuses):
            serial += 1
            while True:
                number = make_number(rng, kind, area, logical)
                if number not in used:
                    used.add(number)
                    break
            mobile = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
            big = kind == "leased-line" or rng.random() < 0.05
            card = kind == "public-card-phone"
            owner = f"{code}公话代办点" if card else rng.choice(SURNAMES) + rng.choice(GIVEN)
            out.writerow([
                number, kind, code, status, rng.choice(TIERS), str(big).lower(),
                str(kind == "leased-line").lower(), owner,
                "" if card else mobile, f"HT{serial:06d}",
            ])


def make_number(rng, kind, area, logical):
    digits = lambda n: rng.choice("23456789") + "".join(rng.choice("0123456789") for _ in range(n - 1))
    if kind in ("landline", "public-card-phone", "leased-line"):
        return area + digits(7 if len(area) == 4 else 8)
    if kind == "wireless-broadband":
        return rng.choice(["133", "153", "177", "189"]) + "".join(rng.choice("0123456789") for _ in range(8))
    if logical and rng.random() < 0.4:
        return rng.choice(["104", "108"]) + "".join(rng.choice("0123456789") for _ in range(8))
    return rng.choice(["adsl", "lan"]) + area[1:] + digits(6)


if __name__ == "__main__":
    main()
