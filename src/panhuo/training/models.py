"""Courses, their sessions and who attended (hours credited), exams, attempts and certificates.

The staff members' professional registrations live in the core (`accounts.models.Registration`): the permissions
table reads them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual:
    """`title`, `summary`, `note` in the reader's language (the Chinese text when no English one is kept)."""

    def _pick(self, field: str) -> str:
        zh = getattr(self, f"{field}_zh", "")
        return zh if (get_language() or "zh").startswith("zh") else (getattr(self, f"{field}_en", "") or zh)

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def summary(self) -> str:
        return self._pick("summary")

    @property
    def note(self) -> str:
        return self._pick("note")


class Course(Bilingual, models.Model):
    """A course; its modules and materials. The course material's own course comes from `courses/*.toml`."""
    key = models.SlugField(_("code"), max_length=60, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title_zh


class Module(Bilingual, models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("order"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "order"]
        constraints = [models.UniqueConstraint(fields=["course", "order"], name="module_order_unique")]

    def __str__(self) -> str:
        return f"{self.course_id}.{self.order} {self.title_zh}"


class Material(Bilingual, models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    note_zh = models.CharField(_("note (Chinese)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["course", "order"]

    def __str__(self) -> str:
        return self.title_zh


class Session(models.Model):
    """One holding of a course: when, where, who taught it, the hours it credits to those who attended."""
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    branch = models.ForeignKey("clients.Branch", verbose_name=_("branch"), on_delete=models.PROTECT,
                               related_name="training_sessions")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-date", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="session_hours_positive")]

    def __str__(self) -> str:
        return f"{self.course_id} {self.date}"


class Attendance(models.Model):
    """A staff member attended a session: the hours credited (the session's, unless they left early)."""
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attendance")
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="attendance_once_per_session"),
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="attendance_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id}"


class Exam(models.Model):
    """An exam on a course, drawn from a question bank file (key and version pinned, so a changed bank is a
    new version and old attempts keep their questions)."""
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="exams")
    bank_key = models.CharField(_("question bank"), max_length=60)
    bank_version = models.PositiveIntegerField(_("bank version"))
    per_topic = models.PositiveSmallIntegerField(_("questions per topic"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (percent)"))
    minutes = models.PositiveSmallIntegerField(_("time allowed (minutes)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        constraints = [models.UniqueConstraint(fields=["bank_key", "bank_version"], name="exam_one_per_bank")]

    def __str__(self) -> str:
        return f"{self.bank_key} v{self.bank_version}"


class Attempt(models.Model):
    """One sitting of an exam by one person: the seed of its paper, the questions drawn, the time allowed, the
    answers and the score once submitted."""
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    seed = models.BigIntegerField(_("paper seed"))
    questions = models.JSONField(_("questions"), default=list)
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    answers = models.JSONField(_("answers"), default=dict)
    correct = models.PositiveSmallIntegerField(null=True)
    total = models.PositiveSmallIntegerField(null=True)
    percent = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    passed = models.BooleanField(null=True)
    late = models.BooleanField(_("submitted after the time allowed"), default=False)

    class Meta:
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["exam", "user", "number"], name="attempt_number_unique")]

    def __str__(self) -> str:
        return f"{self.exam_id} {self.user_id} #{self.number}"

    @property
    def open(self) -> bool:
        return self.submitted_at is None


class Certificate(models.Model):
    """Issued for a passed attempt; its number is printed on the PDF."""
    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    issued_on = models.DateField(_("issued on"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return self.number
