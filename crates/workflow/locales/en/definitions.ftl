workflow-definitions-title = Process definitions
workflow-definitions-problems = { $count ->
    [one] The definition was not deployed: 1 problem.
   *[other] The definition was not deployed: { $count } problems.
}
field-error-bpmn_malformed_xml = The definition is not well-formed XML.
field-error-bpmn_too_large = The definition file is too large.
field-error-bpmn_not_bpmn = The file is not a BPMN 2.0 definition.
field-error-bpmn_no_process = The definition contains no process.
field-error-bpmn_several_processes = The definition contains several processes; mark exactly one as executable.
field-error-bpmn_missing_id = An element has no id.
field-error-bpmn_duplicate_id = An id is used twice.
field-error-bpmn_unsupported_element = This element is not supported.
field-error-bpmn_unknown_flow_node = A sequence flow refers to an element that does not exist.
field-error-bpmn_flow_crosses_subprocess = A sequence flow crosses the boundary of a sub-process.
field-error-bpmn_no_start_event = A process or sub-process has no start event.
field-error-bpmn_no_end_event = A process or sub-process has no end event.
field-error-bpmn_start_has_incoming = A start event has incoming flows.
field-error-bpmn_end_has_outgoing = An end event has outgoing flows.
field-error-bpmn_dead_end = This step has no way forward and is not an end event.
field-error-bpmn_unreachable_node = No path from a start event reaches this step.
field-error-bpmn_no_way_out = This step is caught in a cycle that never ends.
field-error-bpmn_gateway_without_default = This exclusive gateway has no default flow.
field-error-bpmn_bad_default_flow = The default flow does not leave this gateway.
field-error-bpmn_missing_condition = This flow out of an exclusive gateway has no condition.
field-error-bpmn_bad_condition = This condition cannot be read.
field-error-bpmn_no_candidate_roles = This user task names no role.
field-error-bpmn_unknown_role = This user task names a role that does not exist.
field-error-bpmn_bad_four_eyes = The four-eyes rule names a step that is not a user task.
field-error-bpmn_no_service = This service task names no service.
field-error-bpmn_unknown_service_task = No service is registered under this name.
field-error-bpmn_bad_duration = This timer's duration cannot be read.
field-error-bpmn_bad_attachment = This boundary event is not attached to a task or sub-process.
field-error-bpmn_no_message = This message event names no message.
