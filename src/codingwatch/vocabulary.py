"""The words codingwatch's data uses, in one place: what each column may hold."""

ENCOUNTER_TYPES = ("inpatient", "outpatient", "ed", "profee")
CODE_SYSTEMS = ("ICD10CM", "ICD10PCS", "CPT", "HCPCS")
SEXES = ("M", "F", "U")
# Present-on-admission indicators; "1" is the exempt indicator (blank on the 837 in 5010).
POA_VALUES = ("Y", "N", "U", "W", "1")
DELIVERY_MODELS = ("in-house", "onshore", "offshore", "hybrid")

# The specialties that carry the most coding risk (seed 003) plus a realistic inpatient mix.
SPECIALTIES = (
    "cardiology",
    "oncology",
    "orthopedics",
    "emergency_medicine",
    "behavioral_health",
    "anesthesia",
    "radiology",
    "neurology",
    "hospital_medicine",
    "general_surgery",
    "obstetrics",
)

ACCESS_EVENTS = ("login", "logout", "view", "edit", "export", "print", "download", "query")
CREDENTIALS = ("CPC", "COC", "CCS", "CCS-P", "RHIT", "RHIA")
