# Errors of the process engine (instances and tasks).
error-task_already_claimed-title = Someone else has already claimed this task
error-task_not_yours-title = This task is not claimed by you
error-task_closed-title = This task is already completed or cancelled
error-task_not_for_your_roles-title = None of your roles may work on this task
error-four_eyes-title = You completed the preparing step: another person must approve
error-instance_changed-title = The case changed meanwhile: please try again
error-instance_not_running-title = This case is no longer running
error-message_not_expected-title = This case is not waiting for that message
error-variables_not_object-title = Variables must be a JSON object
error-definition_unreadable-title = The stored process definition cannot be read
error-workflow_no_path-title = No path out of a decision applies
error-workflow_service_failed-title = An automatic step failed
error-workflow_not_waiting-title = The case is not waiting at that step
error-workflow_runaway-title = The process loops without end
error-workflow_no_start-title = The process has no start event
error-cancel_reason_required-title = Give the reason for cancelling (at most 500 characters)
