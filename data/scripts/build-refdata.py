#!/usr/bin/env python3
"""Build data/refdata/countries.csv, egdi's own table of the 193 UN Member States.

Facts (codes, M49 regions, LDC/LLDC/SIDS membership, English and Chinese names) are
taken from the UNSD M49 classification as published in ../shared/data/refdata, and the
historical spellings used by the E-Government Survey editions in ../shared/data/un-egov
become aliases. Run from the project root:

    python3 data/scripts/build-refdata.py ../shared/data > data/refdata/countries.csv

The output is committed; this script only documents how it was made.
"""
import csv
import glob
import os
import re
import sys

# Spellings seen in older editions and other data sources that the UNSD table does not
# carry. Each maps to an ISO3 code.
EXTRA_ALIASES = {
    "TUR": ["Turkey", "Turkiye", "Republic of Turkiye"],
    "CZE": ["Czech Republic"],
    "SWZ": ["Swaziland", "Kingdom of Swaziland"],
    "MKD": ["The former Yugoslav Republic of Macedonia", "Macedonia", "TFYR Macedonia",
            "Macedonia, FYR"],
    "GEO": ["Georgia (Country)"],
    "CPV": ["Cape Verde"],
    "CIV": ["Ivory Coast", "Cote d'Ivoire"],
    "MMR": ["Burma"],
    "TLS": ["East Timor"],
    "KOR": ["Korea, Republic of", "South Korea", "Korea, Rep."],
    "PRK": ["Korea, Democratic People's Republic of", "North Korea", "Korea, Dem. People's Rep."],
    "LAO": ["Laos", "Lao PDR"],
    "RUS": ["Russia"],
    "SYR": ["Syria"],
    "IRN": ["Iran", "Iran, Islamic Rep."],
    "VNM": ["Vietnam"],
    "BOL": ["Bolivia"],
    "VEN": ["Venezuela", "Venezuela, RB"],
    "TZA": ["Tanzania"],
    "MDA": ["Moldova"],
    "FSM": ["Micronesia", "Micronesia, Fed. Sts."],
    "COD": ["Congo, Dem. Rep.", "DR Congo", "Congo (Democratic Republic of the)"],
    "COG": ["Congo, Rep.", "Republic of the Congo"],
    "GBR": ["United Kingdom", "UK"],
    "USA": ["United States", "USA"],
    "BRN": ["Brunei"],
    "EGY": ["Egypt, Arab Rep."],
    "GMB": ["Gambia, The"],
    "BHS": ["Bahamas, The"],
    "YEM": ["Yemen, Rep."],
    "KGZ": ["Kyrgyz Republic"],
    "SVK": ["Slovak Republic"],
    "LCA": ["St. Lucia"],
    "KNA": ["St. Kitts and Nevis"],
    "VCT": ["St. Vincent and the Grenadines"],
    "STP": ["Sao Tome & Principe"],
    "LBY": ["Libyan Arab Jamahiriya"],
    "NLD": ["Netherlands (Kingdom of the)"],
}


# Chinese reports name countries by their common short form (美国, not 美利坚合众国);
# the UN's formal short name is kept as an alias so that it still matches on import.
COMMON_ZH = {
    "BOL": "玻利维亚", "BRN": "文莱", "GBR": "英国", "IRN": "伊朗", "KOR": "韩国",
    "LAO": "老挝", "MDA": "摩尔多瓦", "PRK": "朝鲜", "RUS": "俄罗斯", "SYR": "叙利亚",
    "TZA": "坦桑尼亚", "USA": "美国", "VEN": "委内瑞拉", "FSM": "密克罗尼西亚",
    "COD": "刚果（金）",
}


# Charts and tables with little room use a common short English name for the few
# Member States whose UN short name is long.
SHORT_EN = {
    "BOL": "Bolivia", "COD": "DR Congo", "FSM": "Micronesia", "GBR": "United Kingdom",
    "IRN": "Iran", "LAO": "Lao PDR", "PRK": "DPR Korea", "TZA": "Tanzania",
    "VCT": "St Vincent and the Grenadines", "VEN": "Venezuela", "USA": "United States",
    "BIH": "Bosnia and Herzegovina", "MDA": "Moldova", "SYR": "Syria",
}


def clean(name):
    """Drop UNTERM's '(the)' and footnote stars, normalise the apostrophe."""
    name = re.sub(r"\s*\(the\)", "", name)
    name = name.replace("*", "").replace("\u2019", "'").strip()
    return name


def main(shared):
    codes = list(csv.DictReader(open(os.path.join(shared, "refdata/country-codes.csv"), encoding="utf-8")))
    cn = {r["M49 Code"]: r for r in csv.DictReader(open(os.path.join(shared, "refdata/UNSD-M49-cn.csv"), encoding="utf-8-sig"))}
    members = []
    for r in codes:
        short = r["UNTERM English Short"].strip()
        iso3 = r["ISO3166-1-Alpha-3"]
        # UNTERM lists the 193 Member States plus observers (*) and states in free
        # association (**); Türkiye and Côte d'Ivoire have an empty UNTERM cell in this copy.
        if (short and "*" not in short) or iso3 in ("TUR", "CIV"):
            members.append(r)
    if len(members) != 193:
        sys.exit(f"expected 193 Member States, found {len(members)}")

    # Names used by the published survey files, by ISO3 where the file has codes.
    survey_names = {}
    for f in sorted(glob.glob(os.path.join(shared, "un-egov/egdi-*.csv"))):
        for row in csv.DictReader(open(f, encoding="utf-8")):
            if row["country-code"]:
                survey_names.setdefault(row["country-code"], set()).add(row["country-name"].strip())

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["iso3", "m49", "name", "name_zh", "region", "region_zh", "subregion", "subregion_zh",
                  "ldc", "lldc", "sids", "aliases", "short"])
    for r in sorted(members, key=lambda r: r["ISO3166-1-Alpha-3"]):
        iso3 = r["ISO3166-1-Alpha-3"]
        m49 = r["M49"].zfill(3)
        name = clean(r["UNTERM English Short"]) or clean(r["official_name_en"])
        if iso3 == "CIV":
            name = "Côte d'Ivoire"
        zh = r["UNTERM Chinese Short"].strip() or r["official_name_cn"].strip()
        aliases = set(survey_names.get(iso3, set()))
        if iso3 in COMMON_ZH:
            aliases.add(zh)
            zh = COMMON_ZH[iso3]
        c = cn.get(m49, {})
        # The survey's sub-regions are M49 intermediate regions where they exist
        # (Eastern Africa, South America, ...), else M49 sub-regions.
        sub = r["Intermediate Region Name"].strip() or r["Sub-region Name"].strip()
        sub_zh = (c.get("Intermediate Region Name") or "").strip() or (c.get("Sub-region Name") or "").strip()
        for col in ("official_name_en", "UNTERM English Formal", "CLDR display name", "UNTERM English Short"):
            v = clean(r[col])
            if v:
                aliases.add(v)
        aliases.update(EXTRA_ALIASES.get(iso3, []))
        aliases.discard(name)
        out.writerow([iso3, m49, name, zh, r["Region Name"], c.get("Region Name", ""), sub, sub_zh,
                      int(bool(r["Least Developed Countries (LDC)"].strip())),
                      int(bool(r["Land Locked Developing Countries (LLDC)"].strip())),
                      int(bool(r["Small Island Developing States (SIDS)"].strip())),
                      "|".join(sorted(aliases)), SHORT_EN.get(iso3, "")])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
