# SLA clocks, instance migration and conformance (issue 12, helper "engine").

field-error-bpmn_sla_missing_id = An SLA (phos:sla) has no id.
field-error-bpmn_sla_duplicate_id = Two SLAs have the same id.
field-error-bpmn_sla_unknown_node = The SLA names a step that is not in the process.
field-error-bpmn_sla_bad_duration = The SLA's duration cannot be read (use e.g. P10D with calendar="business", or PT48H).
field-error-bpmn_sla_no_escalation = The SLA names no role to escalate to (escalateTo).
field-error-bpmn_sla_unknown_escalation = The SLA escalates to a role that does not exist.

workflow-sla-status-running = Running
workflow-sla-status-paused = Paused
workflow-sla-status-stopped = Stopped

notify-workflow-sla-escalation-subject = SLA ((percent)) % used: ((sla)) in ((process))
notify-workflow-sla-escalation-body =
    The SLA "((sla))" of ((process)) (instance ((instance))) has used ((percent)) % of its time; it is due at ((due)).
    Please make sure someone acts: ((link))

error-migration_bad_version-title = Give the versions as key:version (for example complaint:1) or a definition id
error-migration_not_found-title = No such definition version
error-migration_different_process-title = Both versions must belong to the same process
error-migration_same_version-title = The source and target versions are the same
error-migration_stranded-title = Some instances would be stranded: nothing was moved
field-error-migration_stranded = The step { $node } of this instance does not exist in the target version, or is a different kind of step there.
