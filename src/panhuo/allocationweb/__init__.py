"""The director's allocation of the branch's clients to its advisors (issue #17), on top of the Django-free
engine `panhuo.allocation`: previews that change nothing, approval through the one write path for assignments,
handover tasks for the advisors who gain clients, and an advisor's departure handled in one step."""
