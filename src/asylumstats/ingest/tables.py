"""The data tables asylumstats reads: columns by header name, each with its kind.

This is the one description of the raw tables that the reader (``ingest``), the repairer and
the synthetic generator (``sample``) share. Column order is the order of the 2026 releases;
the reader never relies on it (columns are found by header name) but the generator writes it.

Kinds:
- ``id``: an integer key (BIGINT); an id that does not parse makes the row unloadable. A
  reference to a parent (``nullable``) may be blank — about 9 % of real appeals have no
  ``idnProceeding`` — and is then NULL.
- ``int``: another integer (BIGINT).
- ``date``: ``YYYY-MM-DD HH:MM:SS[.mmm]`` (or ``YYYY-MM-DD``) → TIMESTAMP; all-``0`` → NULL.
- ``time``: ``HHMM`` → VARCHAR.
- ``code``: a short code → VARCHAR, trimmed; ``N/A``, ``b6`` and all-``?`` (unless a code of
  the column's lookup, e.g. nationality ``??``) → NULL.
- ``month`` / ``year``: digits → VARCHAR; all-``0`` → NULL.
- ``birth``: ``M/YYYY`` → VARCHAR (never cast as a date).
- ``text``: free text → VARCHAR, trimmed; may contain a TAB in the raw file (a "tab shift").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "int", "date", "time", "code", "month", "year", "birth", "text"]

DB_TYPES: dict[str, str] = {
    "id": "BIGINT",
    "int": "BIGINT",
    "date": "TIMESTAMP",
}


@dataclass(frozen=True)
class Column:
    """One column of a raw table."""

    name: str
    kind: Kind
    max_len: int | None = None
    lookup: str | None = None  # lookup file stem whose codes this column holds
    pattern: str | None = None  # full-match regex a valid (non-null) value obeys
    required: bool = False  # a table must have this column (header check)
    nullable: bool = False  # an ``id`` that may be blank (a parent reference), loaded as NULL

    @property
    def db_name(self) -> str:
        return self.name.lower()

    @property
    def db_type(self) -> str:
        return DB_TYPES.get(self.kind, "VARCHAR")


@dataclass(frozen=True)
class Parent:
    """A reference to a parent table, used to count orphan rows (loaded, not quarantined)."""

    column: str  # column of this table (db name)
    table: str  # parent table's db name
    parent_column: str  # key column of the parent (db name)


@dataclass(frozen=True)
class TableSpec:
    """A raw data table of the release."""

    stem: str  # file name without ``.csv``, e.g. ``A_TblCase``
    db_name: str  # DuckDB table name, e.g. ``cases``
    key: str  # primary key column (release spelling)
    columns: tuple[Column, ...]
    parents: tuple[Parent, ...] = field(default_factory=tuple)
    aliases: dict[str, str] = field(default_factory=dict)  # old header name -> current name

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name.lower() == name.lower():
                return c
        raise KeyError(name)

    @property
    def text_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kind == "text")


def _c(
    name: str,
    kind: Kind,
    max_len: int | None = None,
    lookup: str | None = None,
    pattern: str | None = None,
    required: bool = False,
) -> Column:
    return Column(name, kind, max_len, lookup, pattern, required)


def _ref(name: str) -> Column:
    """A required parent-reference id column that may be blank in a row."""
    return Column(name, "id", required=True, nullable=True)


CASES = TableSpec(
    stem="A_TblCase",
    db_name="cases",
    key="IDNCASE",
    aliases={"GENDER": "Sex"},
    columns=(
        _c("IDNCASE", "id", required=True),
        _c("ALIEN_CITY", "text"),
        _c("ALIEN_STATE", "code", 2),
        _c("ALIEN_ZIPCODE", "code", 10, pattern=r"`?[0-9]{4,}(-[0-9]{4})?"),
        _c("UPDATED_ZIPCODE", "code", 10, pattern=r"`?[0-9]{4,}(-[0-9]{4})?"),
        _c("UPDATED_CITY", "text"),
        _c("NAT", "code", 3, "tblLookupAlienNat", required=True),
        _c("LANG", "code", 3, "tblLanguage"),
        _c("CUSTODY", "code", 1, "tblLookupCustodyStatus"),
        _c("SITE_TYPE", "code", 1),
        _c("E_28_DATE", "date"),
        _c("ATTY_NBR", "code", 10),
        _c("CASE_TYPE", "code", 3, "tblLookupCaseType"),
        _c("UPDATE_SITE", "code", 3),
        _c("LATEST_HEARING", "date"),
        _c("LATEST_TIME", "time", pattern=r"[0-9]{3,4}"),
        _c("LATEST_CAL_TYPE", "code", 1),
        _c("UP_BOND_DATE", "date"),
        _c("UP_BOND_RSN", "text"),
        _c("CORRECTIONAL_FAC", "text"),
        _c("RELEASE_MONTH", "month", pattern=r"0?[1-9]|1[0-2]"),
        _c("RELEASE_YEAR", "year", pattern=r"[12][0-9]{3}"),
        _c("INMATE_HOUSING", "code", 6),
        _c("DATE_OF_ENTRY", "date"),
        _c("C_ASY_TYPE", "code", 1, pattern=r"[A-Z]"),
        _c("C_BIRTHDATE", "birth", pattern=r"(0?[1-9]|1[0-2])/[12][0-9]{3}"),
        _c("C_RELEASE_DATE", "date"),
        _c("UPDATED_STATE", "code", 2),
        _c("ADDRESS_CHANGEDON", "date"),
        _c("ZBOND_MRG_FLAG", "code", 1),
        _c("Sex", "code", 1, pattern=r"[MF]"),
        _c("DATE_DETAINED", "date"),
        _c("DATE_RELEASED", "date"),
        _c("LPR", "code", 1, pattern=r"[01]"),
        _c("DETENTION_DATE", "date"),
        _c("DETENTION_LOCATION", "text"),
        _c("DCO_LOCATION", "text"),
        _c("DETENTION_FACILITY_TYPE", "text"),
        _c("CASEPRIORITY_CODE", "code", 7),
    ),
)

PROCEEDINGS = TableSpec(
    stem="B_TblProceeding",
    db_name="proceedings",
    key="IDNPROCEEDING",
    parents=(Parent("idncase", "cases", "idncase"),),
    columns=(
        _c("IDNPROCEEDING", "id", required=True),
        _ref("IDNCASE"),
        _c("OSC_DATE", "date"),
        _c("INPUT_DATE", "date"),
        _c("BASE_CITY_CODE", "code", 3, "tblLookupBaseCity", required=True),
        _c("HEARING_LOC_CODE", "code", 3, "tblLookupHloc"),
        _c("IJ_CODE", "code", 3, "tblLookupJudge", required=True),
        _c("TRANS_IN_DATE", "date"),
        _c("PREV_HEARING_LOC", "code", 3, "tblLookupHloc"),
        _c("PREV_HEARING_BASE", "code", 3, "tblLookupBaseCity"),
        _c("PREV_IJ_CODE", "code", 3, "tblLookupJudge"),
        _c("TRANS_NBR", "int"),
        _c("HEARING_DATE", "date"),
        _c("HEARING_TIME", "time", pattern=r"[0-9]{3,4}"),
        _c("DEC_TYPE", "code", 1, pattern=r"[OW67]"),  # oral, written; 6 and 7 occur
        _c("DEC_CODE", "code", 1),
        _c("DEPORTED_1", "code", 3),
        _c("DEPORTED_2", "code", 3),
        _c("OTHER_COMP", "code", 1),
        _c("APPEAL_RSVD", "code", 1, pattern=r"[A-Z]"),
        _c("APPEAL_NOT_FILED", "code", 1, pattern=r"[A-Z]"),
        _c("COMP_DATE", "date", required=True),
        _c("ABSENTIA", "code", 1, pattern=r"[NY]"),
        _c("VENUE_CHG_GRANTED", "date"),
        _c("TRANSFER_TO", "code", 3),
        _c("DATE_APPEAL_DUE_STATUS", "date"),
        _c("TRANSFER_STATUS", "code", 1, pattern=r"[A-Z]"),
        _c("CUSTODY", "code", 1, "tblLookupCustodyStatus"),
        _c("CASE_TYPE", "code", 3, "tblLookupCaseType", required=True),
        _c("NAT", "code", 3, "tblLookupAlienNat"),
        _c("LANG", "code", 3, "tblLanguage"),
        _c("SCHEDULED_HEAR_LOC", "code", 3, "tblLookupHloc"),
        _c("CORRECTIONAL_FAC", "code", 6),
        _c("CRIM_IND", "code", 1, pattern=r"[YN]"),
        _c("IHP", "code", 6),
        _c("AGGRAVATE_FELON", "code", 1, pattern=r"[01]"),
        _c("DATE_DETAINED", "date"),
        _c("DATE_RELEASED", "date"),
    ),
)

APPLICATIONS = TableSpec(
    stem="tbl_Court_Appln",
    db_name="applications",
    key="IDNPROCEEDINGAPPLN",
    parents=(
        Parent("idnproceeding", "proceedings", "idnproceeding"),
        Parent("idncase", "cases", "idncase"),
    ),
    columns=(
        _c("IDNPROCEEDINGAPPLN", "id", required=True),
        _ref("IDNPROCEEDING"),
        _ref("IDNCASE"),
        _c("APPL_CODE", "code", 5, "tblLookUp_Appln", required=True),
        _c("APPL_RECD_DATE", "date"),
        _c("APPL_DEC", "code", 2, "tblLookupCourtAppDecisions", required=True),
    ),
)

APPEALS = TableSpec(
    stem="tblAppeal",
    db_name="appeals",
    key="idnAppeal",
    parents=(
        Parent("idnproceeding", "proceedings", "idnproceeding"),
        Parent("idncase", "cases", "idncase"),
    ),
    columns=(
        _c("idnAppeal", "id", required=True),
        _ref("idncase"),
        _ref("idnProceeding"),
        _c("strAppealCategory", "code", 3),
        _c("strAppealType", "text"),
        _c("datAppealFiled", "date"),
        _c("strFiledBy", "code", 1, required=True),
        _c("datAttorneyE27", "date"),
        _c("datBIADecision", "date"),
        _c("strBIADecision", "code", 3, "tblLookupBIADecision"),
        _c("strBIADecisionType", "code", 1),
        _c("strCaseType", "code", 3, "tblLookupCaseType"),
        _c("strLang", "code", 3, "tblLanguage"),
        _c("strNat", "code", 3, "tblLookupAlienNat"),
        _c("strProceedingIHP", "code", 1),
        _c("strCustody", "code", 1, pattern=r"[DNR]"),
        _c("strProbono", "code", 1),
    ),
)

REPS = TableSpec(
    stem="tbl_RepsAssigned",
    db_name="reps_assigned",
    key="IDNREPSASSIGNED",
    parents=(Parent("idncase", "cases", "idncase"),),
    columns=(
        _c("IDNREPSASSIGNED", "id", required=True),
        _ref("IDNCASE"),
        _c("STRATTYLEVEL", "code", 5),
        _c("STRATTYTYPE", "code", 5),
        _c("PARENT_TABLE", "code", 20),
        _c("PARENT_IDN", "int"),
        _c("BASE_CITY_CODE", "code", 3),
        _c("INS_TA_DATE_ASSIGNED", "date"),
        _c("E_27_DATE", "date"),
        _c("E_28_DATE", "date"),
        _c("BLNPRIMEATTY", "code", 5),
    ),
)

CUSTODY_HISTORY = TableSpec(
    stem="tbl_CustodyHistory",
    db_name="custody_history",
    key="IDNCUSTODY",
    parents=(Parent("idncase", "cases", "idncase"),),
    columns=(
        _c("IDNCUSTODY", "id", required=True),
        _ref("IDNCASE"),
        _c("CUSTODY", "code", 1),
        _c("DATDETAINED", "date"),
        _c("DATRELEASED", "date"),
    ),
)

LEAD_RIDER = TableSpec(
    stem="tbl_Lead_Rider",
    db_name="lead_rider",
    key="idnLeadRider",
    parents=(Parent("idnleadcase", "cases", "idncase"), Parent("idnridercase", "cases", "idncase")),
    columns=(
        _c("idnLeadRider", "id", required=True),
        _ref("idnLeadCase"),
        _ref("idnRiderCase"),
        _c("datCreatedOn", "date"),
        _c("datModifiedOn", "date"),
        _c("datSeveredOn", "date"),
        _c("idnLeadProceedingStart", "int"),
        _c("idnLeadProceedingEnd", "int"),
        _c("idnRiderProceedingStart", "int"),
        _c("idnRiderProceedingEnd", "int"),
        _c("blnActive", "code", 5),
    ),
)

#: Every data table the product reads, in load order (parents before children).
DATA_TABLES: tuple[TableSpec, ...] = (
    CASES,
    PROCEEDINGS,
    APPLICATIONS,
    APPEALS,
    REPS,
    CUSTODY_HISTORY,
    LEAD_RIDER,
)

#: Tables a release must hold for ``ingest`` to succeed; the others are optional.
REQUIRED_TABLES: tuple[str, ...] = ("A_TblCase", "B_TblProceeding", "tbl_Court_Appln")


@dataclass(frozen=True)
class LookupSpec:
    """A lookup file whose code → label pairs the product uses by name."""

    stem: str
    code: str  # code column (release spelling)
    label: str  # label column


#: Lookups with a known code and label column. Every other file under ``Lookup/`` is still
#: loaded (all columns as text) under its lower-case stem.
LOOKUPS: tuple[LookupSpec, ...] = (
    LookupSpec("tblLookupBaseCity", "BASE_CITY_CODE", "BASE_CITY"),
    LookupSpec("tblLookupHloc", "HEARING_LOC_CODE", "HEARING_LOC_NAME"),
    LookupSpec("tblLookupJudge", "JUDGE_CODE", "JUDGE_NAME"),
    LookupSpec("tblLookupAlienNat", "strCode", "strDescription"),
    LookupSpec("tblLookupNationality", "NAT_CODE", "NAT_NAME"),
    LookupSpec("tblLanguage", "strCode", "strDescription"),
    LookupSpec("tblLookupCaseType", "strCode", "strDescription"),
    LookupSpec("tblLookupCustodyStatus", "strCode", "strDescription"),
    LookupSpec("tblLookupCourtAppDecisions", "strCourtApplnDecCode", "strCourtApplnDecDesc"),
    LookupSpec("tblLookUp_Appln", "strcode", "strdescription"),
    LookupSpec("tblLookupBIADecision", "strCode", "strDescription"),
    LookupSpec("tbllookupAppealType", "strCode", "strDescription"),
)


# -- the rest of the release ---------------------------------------------------------------
# Tables no metric reads yet, loaded losslessly all the same (same reader, same
# reconciliation with Count.txt). Each is optional: older releases may lack some of them.

SCHEDULE = TableSpec(
    stem="tbl_schedule",
    db_name="schedule",
    key="IDNSCHEDULE",
    parents=(
        Parent("idnproceeding", "proceedings", "idnproceeding"),
        Parent("idncase", "cases", "idncase"),
    ),
    columns=(
        _c("IDNSCHEDULE", "id", required=True),
        _ref("IDNPROCEEDING"),
        _ref("IDNCASE"),
        _c("OSC_DATE", "date"),
        _c("GENERATION", "int"),
        _c("SUB_GENERATION", "int"),
        _c("REC_TYPE", "code", 1),
        _c("LANG", "code", 3, "tblLanguage"),
        _c("HEARING_LOC_CODE", "code", 3, "tblLookupHloc"),
        _c("BASE_CITY_CODE", "code", 3, "tblLookupBaseCity"),
        _c("IJ_CODE", "code", 3, "tblLookupJudge"),
        _c("INTERPRETER_CODE", "code", 6),
        _c("INPUT_DATE", "date"),
        _c("INPUT_TIME", "time", pattern=r"[0-9]{3,4}"),
        _c("UPDATE_DATE", "date"),
        _c("UPDATE_TIME", "time", pattern=r"[0-9]{3,4}"),
        _c("ASSIGNMENT_PATH", "code", 1),
        _c("CAL_TYPE", "code", 1),
        _c("ADJ_DATE", "date"),
        _c("ADJ_TIME_START", "time", pattern=r"[0-9]{3,4}"),
        _c("ADJ_TIME_STOP", "time", pattern=r"[0-9]{3,4}"),
        _c("ADJ_RSN", "code", 2),
        _c("ADJ_MEDIUM", "code", 1),
        _c("ADJ_MSG", "text"),
        _c("ADJ_ELAP_DAYS", "int"),
        _c("LNGSESSNID", "int"),
        _c("SCHEDULE_TYPE", "code", 2),
        _c("NOTICE_CODE", "code", 2),
        _c("BLNCLOCKOVERRIDE", "code", 5),
        _c("EOIRAttorneyID", "code", 40),
    ),
)

CHARGES = TableSpec(
    stem="B_TblProceedCharges",
    db_name="charges",
    key="IDNPRCDCHG",
    parents=(
        Parent("idnproceeding", "proceedings", "idnproceeding"),
        Parent("idncase", "cases", "idncase"),
    ),
    columns=(
        _c("IDNPRCDCHG", "id", required=True),
        _ref("IDNCASE"),
        _ref("IDNPROCEEDING"),
        _c("CHARGE", "code", 20, "tbllookupCharges"),
        _c("CHG_STATUS", "code", 2),
    ),
)

MOTIONS = TableSpec(
    stem="tbl_Court_Motions",
    db_name="motions",
    key="IDNMOTION",
    parents=(
        Parent("idnproceeding", "proceedings", "idnproceeding"),
        Parent("idncase", "cases", "idncase"),
    ),
    columns=(
        _c("IDNMOTION", "id", required=True),
        _ref("IDNPROCEEDING"),
        _ref("IDNCASE"),
        _c("OSC_DATE", "date"),
        _c("REC_TYPE", "code", 1),
        _c("GENERATION", "int"),
        _c("SUB_GENERATION", "int"),
        _c("UPDATE_DATE", "date"),
        _c("UPDATE_TIME", "time", pattern=r"[0-9]{3,4}"),
        _c("INPUT_DATE", "date"),
        _c("INPUT_TIME", "time", pattern=r"[0-9]{3,4}"),
        _c("REJ", "code", 1),
        _c("BASE_CITY_CODE", "code", 3, "tblLookupBaseCity"),
        _c("HEARING_LOC_CODE", "code", 3, "tblLookupHloc"),
        _c("IJ_CODE", "code", 3, "tblLookupJudge"),
        _c("IJ_NAME", "text"),
        _c("DEC", "code", 1),
        _c("COMP_DATE", "date"),
        _c("MOTION_RECD_DATE", "date"),
        _c("DATMOTIONDUE", "date"),
        _c("WU_MSG", "text"),
        _c("APPEAL_RSVD", "code", 1),
        _c("APPEAL_NOT_FILED", "code", 1),
        _c("RESP_DUE_DATE", "date"),
        _c("STAY_GRANT", "code", 1),
        _c("JURISDICTION", "code", 3),
        _c("DATE_APPEAL_DUE", "date"),
        _c("DATE_TO_BIA", "date"),
        _c("DECISION_RENDERED", "date"),
        _c("DATE_MAILED_TO_IJ", "date"),
        _c("DATE_RECD_FROM_BIA", "date"),
        _c("DATE_TO_BIA_UPDATE", "int"),
        _c("STRFILINGPARTY", "code", 2),
        _c("STRFILINGMETHOD", "code", 2),
        _c("STRCERTOFSERVICECODE", "code", 2),
        _c("E_28_RECPTFLAG", "code", 1),
        _c("E_28_DATE", "date"),
        _c("O_CLOCK_OPTION", "code", 2),
        _c("SCHEDULED_HEAR_LOC", "code", 3),
        _c("BLNDELETED", "code", 5),
        _c("strDJScenario", "code", 10),
    ),
)

BONDS = TableSpec(
    stem="D_TblAssociatedBond",
    db_name="bonds",
    key="IDNASSOCBOND",
    parents=(
        Parent("idnproceeding", "proceedings", "idnproceeding"),
        Parent("idncase", "cases", "idncase"),
    ),
    columns=(
        _c("IDNASSOCBOND", "id", required=True),
        _ref("IDNPROCEEDING"),
        _ref("IDNCASE"),
        _c("OSC_DATE", "date"),
        _c("REC_TYPE", "code", 1),
        _c("GENERATION", "int"),
        _c("SUB_GENERATION", "int"),
        _c("UPDATE_DATE", "date"),
        _c("UPDATE_TIME", "time", pattern=r"[0-9]{3,4}"),
        _c("INPUT_DATE", "date"),
        _c("INPUT_TIME", "time", pattern=r"[0-9]{3,4}"),
        _c("BASE_CITY_CODE", "code", 3, "tblLookupBaseCity"),
        _c("BASE_CITY_NAME", "text"),
        _c("HEARING_LOC_CODE", "code", 3, "tblLookupHloc"),
        _c("IJ_CODE", "code", 3, "tblLookupJudge"),
        _c("DEC", "code", 1),
        _c("COMP_DATE", "date"),
        _c("INITIAL_BOND", "int"),
        _c("REL_CON", "code", 2),
        _c("INS_TA", "code", 2),
        _c("BOND_HEARING_TELEPHONIC", "code", 2),
        _c("BOND_HEAR_REQ_DATE", "date"),
        _c("NEW_BOND", "int"),
        _c("APPEAL_REVD", "code", 1),
        _c("APPEAL_NOT_FILED", "code", 1),
        _c("DATE_APPEAL_DUE", "date"),
        _c("E_28_DATE", "date"),
        _c("BOND_TYPE", "code", 3),
        _c("FILING_METHOD", "code", 2),
        _c("FILING_PARTY", "code", 2),
        _c("DECISION_DUE_DATE", "date"),
    ),
)

JUVENILE_HISTORY = TableSpec(
    stem="tbl_JuvenileHistory",
    db_name="juvenile_history",
    key="idnJuvenileHistory",
    parents=(Parent("idncase", "cases", "idncase"),),
    columns=(
        _c("idnJuvenileHistory", "id", required=True),
        _ref("idnCase"),
        _ref("idnProceeding"),
        _c("idnJuvenile", "int"),
        _c("DATCREATEDON", "date"),
        _c("DATMODIFIEDON", "date"),
    ),
)

CASE_IDENTIFIERS = TableSpec(
    stem="A_TblCaseIdentifier",
    db_name="case_identifiers",
    key="IDNCASEID",
    parents=(Parent("idncase", "cases", "idncase"),),
    columns=(
        _c("IDNCASEID", "id", required=True),
        _ref("IDNCASE"),
        _c("CASE_ID", "code", 4),
    ),
)

APPEALS2 = TableSpec(
    stem="tblAppeal2",
    db_name="appeals2",
    key="idnAppeal",
    parents=(Parent("idncase", "cases", "idncase"),),
    columns=(
        _c("idnAppeal", "id", required=True),
        _ref("idncase"),
        _ref("idnProceeding"),
    ),
)

ATTORNEYS = TableSpec(
    stem="tbl_EOIR_Attorney",
    db_name="eoir_attorneys",
    key="EOIRAttorneyID",
    columns=(
        _c("EOIRAttorneyID", "code", 40, required=True),
        _c("OldAttorneyID", "code", 20),
        _c("BaseCityCode", "code", 3, "tblLookupBaseCity"),
        _c("blnAttorneyActive", "code", 5),
        _c("Source_Flag", "code", 5),
        _c("datCreatedOn", "date"),
        _c("datModifiedOn", "date"),
    ),
)

APPEAL_FED_COURTS = TableSpec(
    stem="tblAppealFedCourts",
    db_name="appeal_fed_courts",
    key="idnAppealFedCourts",
    parents=(Parent("lngappealid", "appeals", "idnappeal"),),
    columns=(
        _c("idnAppealFedCourts", "id", required=True),
        _ref("lngAppealID"),
        _c("datRequestedByOIL", "date"),
        _c("strFedCourtDecision", "code", 5),
    ),
)

CASE_PRIORITY_HISTORY = TableSpec(
    stem="tbl_CasePriorityHistory",
    db_name="case_priority_history",
    key="idnCasePriHistory",
    parents=(Parent("idncase", "cases", "idncase"),),
    columns=(
        _c("idnCasePriHistory", "id", required=True),
        _c("casePriority_code", "code", 7),
        _ref("idnCase"),
        _c("DATCREATEDON", "date"),
        _c("DATMODIFIEDON", "date"),
    ),
)

THREE_MEMBER_REFERRALS = TableSpec(
    stem="tblThreeMbrReferrals",
    db_name="three_member_referrals",
    key="idn3MemberReferral",
    parents=(Parent("lngappealid", "appeals", "idnappeal"),),
    columns=(
        _c("idn3MemberReferral", "id", required=True),
        _ref("lngAppealID"),
        _c("datReferredTo3Member", "date"),
        _c("datRemovedFromReferral", "date"),
    ),
)

#: tblProBono's columns (BIA pro bono screening); free text and flags are kept as text.
_PRO_BONO_DATES = {
    "datTranscriptServedAlien",
    "datROPreview",
    "Date_Of_Entry",
    "datmailedtoNGO",
    "datBriefCurrentlyDueAlien",
    "datCreatedOn",
    "datModifiedOn",
}
_PRO_BONO_COLUMNS = (
    "Case_type DEC_212C DEC_245 NBR_OF_CHGS Other_dec1 Other_dec2 P_EOIR42A_DEC P_EOIR42B_DEC "
    "VD_DEC WD_DEC strCorFacility datTranscriptServedAlien strProceedingIHP strFiledby strNat "
    "strLang blnOARequestedbyAlien blnOARequestedbyINS blnOARequestedbyAmicus Charge_1 Charge_2 "
    "Charge_3 Charge_4 Charge_5 Charge_6 recd_212C recd_245 VD_recd WD_recd P_EOIR42A_Recd "
    "P_EOIR42B_Recd Dec_Code other_comp CRIM_IND strA1 strA2 strA3 strAlienRegion "
    "strAlienGender strINSStatus strPossibility datROPreview blnSelectedbyCoordinator "
    "blnSelectedbyScreener OptionA DCO_Location CaseID Date_Of_Entry Inmate_Housing "
    "datmailedtoNGO idnAppeal datBriefCurrentlyDueAlien idnRepl blnIntrpr strIntrprLang "
    "ScreenerIdn strDCAddress1 strDCAddress2 strDCCity strDCState strDCZip blnProcessed "
    "datCreatedOn datModifiedOn strCustody"
).split()


def _pro_bono_column(name: str) -> Column:
    if name == "idnRepl":
        return _c(name, "id", required=True)
    if name == "idnAppeal":
        return _ref(name)
    return _c(name, "date" if name in _PRO_BONO_DATES else "text")


PRO_BONO = TableSpec(
    stem="tblProBono",
    db_name="pro_bono",
    key="idnRepl",
    parents=(Parent("idnappeal", "appeals", "idnappeal"),),
    columns=tuple(_pro_bono_column(n) for n in _PRO_BONO_COLUMNS),
)

#: The other twelve data tables of the release, loaded after ``DATA_TABLES`` when present.
MORE_TABLES: tuple[TableSpec, ...] = (
    SCHEDULE,
    CHARGES,
    MOTIONS,
    BONDS,
    JUVENILE_HISTORY,
    CASE_IDENTIFIERS,
    APPEALS2,
    ATTORNEYS,
    APPEAL_FED_COURTS,
    CASE_PRIORITY_HISTORY,
    THREE_MEMBER_REFERRALS,
    PRO_BONO,
)

#: All nineteen data tables of the release, in load order.
ALL_DATA_TABLES: tuple[TableSpec, ...] = DATA_TABLES + MORE_TABLES

BY_STEM: dict[str, TableSpec] = {t.stem.lower(): t for t in ALL_DATA_TABLES}
