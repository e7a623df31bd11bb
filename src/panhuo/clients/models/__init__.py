"""The shared client-service core's models, one module per concern; import them from here.

- master: branches, teams, advisors, clients and their latest per-client results, with the ownership bookkeeping
- service: tasks, contacts, the funnel, service plans, the 360 page's series, the branch's service policy
- consent: the consent ledger, unsubscribe keys, message addresses
- market: the day's stored market results (regime, pools, model report)
- kpi: the monthly snapshot of the branch's and advisors' figures
- events: client events (investor education, seminars, salons …), their registrations and attendance
- assessment: questionnaire answers, risk assessments, the suitability record (kept 20 years)
- plan: the structured, versioned service plan (服务计划书)
- complaints: complaints and each step of their handling (kept 20 years)
- holdout: the branch's persistent holdout, kept out of every campaign for a period
"""
from panhuo.clients.models.assessment import (  # noqa: F401
    RETENTION_YEARS,
    AnswerVia,
    KeptRecordError,
    QuestionnaireAnswer,
    RiskAssessment,
    SuitabilityKind,
    SuitabilityRecord,
)
from panhuo.clients.models.complaints import (  # noqa: F401
    OPEN_COMPLAINT,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
    ComplaintStep,
    sla_days,
    sla_deadline,
)
from panhuo.clients.models.consent import (  # noqa: F401
    ConsentRecord,
    ConsentSource,
    ContactPoint,
    UnsubscribeKey,
)
from panhuo.clients.models.events import (  # noqa: F401
    Event,
    EventFile,
    EventKind,
    EventRegistration,
    EventStatus,
    MaterialsReview,
    RegistrationStatus,
    RegistrationVia,
)
from panhuo.clients.models.holdout import (  # noqa: F401
    HoldoutDraw,
    HoldoutMember,
)
from panhuo.clients.models.kpi import (  # noqa: F401
    KpiMonth,
)
from panhuo.clients.models.market import (  # noqa: F401
    MarketDay,
)
from panhuo.clients.models.master import (  # noqa: F401
    Advisor,
    AdvisorLevel,
    AssignmentConflict,
    Branch,
    Client,
    ClientSnapshot,
    ClientStatus,
    ClientType,
    ConflictStatus,
    DecisionSource,
    Lifecycle,
    RiskLevel,
    Team,
)
from panhuo.clients.models.plan import (  # noqa: F401
    PlanActionKind,
    ServicePlan,
    ServicePlanVersion,
)
from panhuo.clients.models.service import (  # noqa: F401
    DEFAULT_CADENCE_DAYS,
    DEFAULT_ONBOARDING_CHECK_DAYS,
    DEFAULT_ONBOARDING_FIRST_DAYS,
    DEFAULT_PROTECTION_DAYS,
    OPEN_STATUSES,
    PROTECTION_LOOKBACK_DAYS,
    BranchPolicy,
    Channel,
    ClientFunnel,
    ClientSeries,
    Contact,
    FunnelEvent,
    FunnelSource,
    Outcome,
    Stage,
    Task,
    TaskKind,
    TaskStatus,
    Track,
    protection_days_by_branch,
    service_policy_by_branch,
)
