"""The ``Lookup/`` files of a synthetic release, built from the bundled real lookups.

Each file is TAB-delimited with a header row. As in the real release, a few values carry NUL
bytes, padding spaces or surrounding double quotes (values holding a comma, e.g. judge names
"Last, First", are quoted in a share of files). The *clean* values (what a quote-aware,
NUL-stripping, trimming reader gets; empty means NULL) are kept for the truth files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asylumstats.sample.reference import Reference

CREATED = "2002-11-30 09:43:47.920"
MODIFIED = "2021-04-15 21:11:47.593"

#: Court decision codes per case type: (case type, code, label, type C/O, active).
_OTHER_COMP = [
    ("C", "Change of Venue"),
    ("T", "Transfer"),
    ("A", "Administrative Closing - Other"),
    ("B", "Administrative closing - Failure to Appear"),
    ("F", "Failure to Prosecute (DHS cases only)"),
    ("K", "Administrative Closure"),
    ("M", "In Court Prosecutorial Discretion - Admin Closure"),
    ("Y", "Prosecutorial Discretion - Admin Close"),
    ("P", "Temporary Protected Status"),
    ("J", "Jurisdiction Transferred to the BIA"),
    ("O", "Other Administrative Completion"),
    ("X", "Prosecutorial Discretion - Terminated"),
]
_MERITS: dict[str, list[tuple[str, str]]] = {
    "RMV": [
        ("X", "Remove"),
        ("V", "Voluntary Departure"),
        ("T", "Terminated"),
        ("R", "Relief Granted"),
        ("U", "Dismissed by IJ"),
        ("E", "Remove-INA Withholding Granted"),
        ("Z", "Remove-CAT Withholding Granted"),
        ("H", "Remove-CAT Deferral Granted"),
        ("O", "Other"),
    ],
    "DEP": [
        ("D", "Deport"),
        ("V", "Voluntary Departure"),
        ("T", "Terminated"),
        ("R", "Relief Granted"),
        ("U", "Dismissed by IJ"),
        ("O", "Other"),
    ],
    "EXC": [
        ("E", "Exclude"),
        ("W", "Withdraw"),
        ("T", "Terminated"),
        ("R", "Relief Granted"),
        ("U", "Dismissed by IJ"),
        ("O", "Other"),
    ],
    "AOC": [
        ("G", "Grant"),
        ("D", "Deny"),
        ("C", "Conditional Grant"),
        ("A", "Abandonment"),
        ("W", "Withdraw"),
        ("E", "Grant-INA Withholding"),
        ("Z", "Grant-CAT Withholding"),
        ("H", "Grant-CAT Deferral"),
        ("O", "Other"),
    ],
    "WHO": [
        ("G", "Grant"),
        ("D", "Deny"),
        ("A", "Abandonment"),
        ("W", "Withdraw"),
        ("E", "Grant-INA Withholding"),
        ("Z", "Grant-CAT Withholding"),
        ("H", "Grant-CAT Deferral"),
        ("O", "Other"),
    ],
    "CFR": [
        ("A", "Affirmed - DHS Decision and no Credible Fear"),
        ("V", "Vacate - DHS Decision and Credible Fear"),
    ],
    "RFR": [("A", "Affirmed - DHS Decision"), ("V", "Vacate - DHS Decision")],
    "CSR": [
        ("A", "Affirmed - DHS Decision"),
        ("V", "Vacate - DHS Decision and Alien's Claimed Status Valid"),
    ],
    "REC": [("K", "Revoke"), ("N", "Recommend Final"), ("S", "Reserve")],
    "NAC": [("G", "Grant"), ("D", "Deny")],
    "CDR": [("X", "ZERO BOND"), ("L", "Lifted Detained Status")],
}


def court_decisions() -> list[tuple[str, str, str, str, str]]:
    rows: list[tuple[str, str, str, str, str]] = []
    for ct, merits in _MERITS.items():
        rows += [(ct, c, label, "C", "1") for c, label in merits]
        others = _OTHER_COMP if ct in ("RMV", "DEP", "EXC", "AOC", "WHO") else _OTHER_COMP[:2]
        rows += [(ct, c, label, "O", "1") for c, label in others]
    rows.append(("RMV", "X", "Deport", "C", "0"))  # an inactive duplicate, as in the release
    rows.append(("DEP", "H", "Haitian", "O", "0"))
    return rows


@dataclass
class LookupFile:
    stem: str
    header: list[str]
    rows: list[list[str]]  # clean values ('' = NULL)
    crlf: bool = True
    quote_commas: bool = False

    def render(self, rng: np.random.Generator) -> tuple[bytes, dict[str, int]]:
        """Raw bytes (cp1252) and counts of the decorations applied."""
        stats = {"nul": 0, "padded": 0, "quoted": 0}
        out = ["\t".join(self.header)]
        for row in self.rows:
            cells = []
            for j, v in enumerate(row):
                if v and self.quote_commas and ("," in v or rng.random() < 0.01):
                    v = f'"{v}"'
                    stats["quoted"] += 1
                elif v and rng.random() < 0.02:
                    v = v + " " * int(rng.integers(1, 4))
                    stats["padded"] += 1
                if j > 0 and v and rng.random() < 0.004:
                    v = v + "\x00"
                    stats["nul"] += 1
                cells.append(v)
            out.append("\t".join(cells))
        eol = "\r\n" if self.crlf else "\n"
        return (eol.join(out) + eol).encode("cp1252"), stats


def _simple(
    stem: str,
    id_col: str,
    code_col: str,
    label_col: str,
    pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]],
    crlf: bool = True,
    extra: tuple[str, ...] = (),
) -> LookupFile:
    header = [id_col, code_col, label_col, "blnActive", "datCreatedOn", "datModifiedOn", *extra]
    rows = [
        [str(i + 1), c, lab, "1", CREATED, MODIFIED, *([""] * len(extra))]
        for i, (c, lab) in enumerate(pairs)
    ]
    return LookupFile(stem, header, rows, crlf)


def build(ref: Reference) -> list[LookupFile]:
    """Every lookup file of the synthetic release."""
    files: list[LookupFile] = []
    files.append(
        LookupFile(
            "tblLookupBaseCity",
            [
                "idnBaseCity",
                "BASE_CITY_CODE",
                "BASE_CITY_NAME",
                "BASE_ST_ADDRESS",
                "BASE_CITY",
                "BASE_STATE",
                "BASE_ZIP_1",
                "strRegion",
                "blnActive",
                "datCreatedOn",
                "datModifiedOn",
            ],
            [
                [
                    str(i + 1),
                    b.code,
                    b.name,
                    "",
                    b.city,
                    b.state,
                    "",
                    b.region,
                    "1",
                    CREATED,
                    MODIFIED,
                ]
                for i, b in enumerate(ref.base_cities)
            ],
        )
    )
    files.append(
        LookupFile(
            "tblLookupJudge",
            [
                "idnJudge",
                "JUDGE_CODE",
                "JUDGE_NAME",
                "JUDGE_ST_ADDRESS",
                "JUDGE_CITY",
                "JUDGE_STATE",
                "datCreatedOn",
                "datModifiedOn",
                "blnActive",
            ],
            [
                [str(i + 1), c, n, "", "", "", CREATED, MODIFIED, "1"]
                for i, (c, n, _) in enumerate(ref.judges)
            ],
            crlf=True,
            quote_commas=True,
        )
    )
    files.append(
        LookupFile(
            "tblLookupHloc",
            [
                "idnHloc",
                "HEARING_LOC_CODE",
                "HEARING_LOC_NAME",
                "HEARING_CITY",
                "HEARING_STATE",
                "HEARING_BASE_CITY",
                "blnActive",
                "datCreatedOn",
                "datModifiedOn",
            ],
            [
                [str(i + 1), c, n, "", "", b, "1", CREATED, MODIFIED]
                for i, (c, n, b) in enumerate(ref.hlocs)
            ],
            crlf=False,
        )
    )
    files.append(
        _simple(
            "tblLookupAlienNat",
            "idnNat",
            "strCode",
            "strDescription",
            ref.nationalities,
            extra=("Nacara",),
        )
    )
    files.append(
        LookupFile(
            "tblLookupNationality",
            [
                "ID",
                "NAT_CODE",
                "NAT_NAME",
                "NAT_COUNTRY_NAME",
                "datCreatedOn",
                "datModifiedOn",
                "blnActive",
            ],
            [
                [str(i + 1), c, n, n, CREATED, MODIFIED, "1"]
                for i, (c, n) in enumerate(ref.nationalities)
                if c != "<A>"
            ],
            crlf=False,
        )
    )
    files.append(_simple("tblLanguage", "idnLang", "strCode", "strDescription", ref.languages))
    files.append(
        _simple("tblLookupCaseType", "idnCaseType", "strCode", "strDescription", ref.case_types)
    )
    files.append(
        _simple(
            "tblLookupCustodyStatus", "idnCustodyStatus", "strCode", "strDescription", ref.custody
        )
    )
    files.append(
        _simple(
            "tblLookupCourtAppDecisions",
            "idnCourtApplnDec",
            "strCourtApplnDecCode",
            "strCourtApplnDecDesc",
            ref.appl_decisions,
            crlf=False,
        )
    )
    files.append(
        _simple("tblLookUp_Appln", "idnAppln", "strcode", "strdescription", ref.appl_codes)
    )
    files.append(
        _simple("tblLookupBIADecision", "idnBIAdec", "strCode", "strDescription", ref.bia_decisions)
    )
    files.append(
        _simple(
            "tblLookupBIADecisionType",
            "idnBIAdecType",
            "strCode",
            "strDescription",
            ref.bia_decision_types,
        )
    )
    files.append(
        _simple(
            "tbllookupAppealType",
            "idnAppealType",
            "strCode",
            "strDescription",
            ref.appeal_types,
            extra=("blnDDAppeal",),
        )
    )
    files.append(
        LookupFile(
            "tblLookupCourtDecision",
            [
                "idnCourtDecision",
                "strCaseType",
                "strDecCode",
                "strDecDescription",
                "strDecType",
                "strFinalDisposition",
                "blnActive",
                "datCreatedOn",
                "datModifiedOn",
            ],
            [
                [str(i + 1), ct, c, lab, t, "", act, CREATED, MODIFIED]
                for i, (ct, c, lab, t, act) in enumerate(court_decisions())
            ],
            quote_commas=True,
        )
    )
    return files
