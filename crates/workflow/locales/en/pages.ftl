# Workflow pages: definitions, instances, mining, simulation (tasks and worklists have their own).
wfp-card-definitions = Process definitions
wfp-card-definitions-lead = Deployed processes, their diagrams with live counts, and deploying a new version.
wfp-card-instances = Process instances
wfp-card-instances-lead = Running and finished cases of every process: status, timeline, cancellation.
wfp-card-mining = Process mining
wfp-card-mining-lead = Where work waits: the directly-follows graph, variants and bottlenecks.
wfp-card-simulation = Staffing what-if
wfp-card-simulation-lead = Compare waiting times and utilisation with more or fewer people per role.

wfp-definitions-title = Process definitions
wfp-definitions-lead = Every deployed process. Running instances keep the version they started on.
wfp-definitions-none = No process has been deployed yet.
wfp-definitions-caption = Deployed processes
wfp-instances-title = Process instances
wfp-mining-title = Process mining
wfp-simulation-title = Staffing what-if
wfp-deploy-title = Deploy a process definition
wfp-key = Key
wfp-name = Name
wfp-versions = Versions
wfp-version = version { $version }
wfp-running = Running instances
wfp-deployed = Deployed
wfp-diagram = Diagram
wfp-diagram-from-di = Drawn from the layout saved in the BPMN file.
wfp-diagram-auto = Laid out automatically from left to right (the BPMN file has no layout).
wfp-diagram-badges = A blue badge shows how many running instances wait at a step; the table below gives the same counts.
wfp-diagram-title = Diagram of { $name }
wfp-diagram-desc = { $nodes } steps; { $tokens ->
    [one] 1 instance waiting.
   *[other] { $tokens } instances waiting.
}
wfp-counts = Live counts per step
wfp-node = Step
wfp-node-kind = Kind
wfp-tokens = Instances waiting
wfp-open-tasks = Open tasks
wfp-kind-start = Start event
wfp-kind-end = End event
wfp-kind-user_task = User task
wfp-kind-service_task = Automatic step
wfp-kind-exclusive = Exclusive gateway
wfp-kind-parallel = Parallel gateway
wfp-kind-timer = Timer
wfp-kind-message = Message
wfp-kind-boundary_timer = Deadline (boundary timer)
wfp-kind-boundary_message = Boundary message
wfp-kind-subprocess = Sub-process
wfp-deploy-lead = Paste a BPMN 2.0 XML document (as Camunda Modeler or bpmn.io save it). It is checked first; nothing is deployed if it has any problem.
wfp-deploy-bpmn = BPMN 2.0 XML
wfp-deploy-hint = Use phos:nameZh for Chinese names and phos:candidateRoles for who may do a task (see the workflow documentation).
wfp-deploy-button = Check and deploy
wfp-deploy-problems = { $count ->
    [one] The definition was not deployed: 1 problem
   *[other] The definition was not deployed: { $count } problems
}
field-error-wf_bpmn_required = Paste the BPMN document to deploy.

wfp-definition = Process
wfp-all = All
wfp-status = Status
wfp-status-running = Running
wfp-status-completed = Completed
wfp-status-cancelled = Cancelled
wfp-filter = Show
wfp-instances-none = No instance matches.
wfp-instances-shown = { $count ->
    [one] 1 instance shown.
   *[other] { $count } instances shown.
}
wfp-instances-limit = Only the newest { $count } are listed: choose a process or status to narrow the list.
wfp-instance = Instance
wfp-started = Started
wfp-ended = Ended
wfp-overdue = Overdue
wfp-due-since = due { $at }
wfp-waiting-at = Waiting at
wfp-timers = Pending timers
wfp-variables = Variables
wfp-variables-none = No variables.
wfp-tasks = Tasks
wfp-tasks-none = No user tasks yet.
wfp-task = Task
wfp-roles = Roles
wfp-assignee = Assignee
wfp-created = Created
wfp-completed = Completed
wfp-task-status-open = Open
wfp-task-status-claimed = Claimed
wfp-task-status-completed = Completed
wfp-task-status-cancelled = Cancelled
wfp-timeline = Timeline
wfp-timeline-none = No events recorded.
wfp-when = When
wfp-activity = Activity
wfp-lifecycle = What happened
wfp-lifecycle-schedule = Scheduled
wfp-lifecycle-assign = Assigned
wfp-lifecycle-reassign = Released
wfp-lifecycle-start = Started
wfp-lifecycle-suspend = Suspended
wfp-lifecycle-resume = Resumed
wfp-lifecycle-complete = Completed
wfp-lifecycle-ate_abort = Aborted
wfp-lifecycle-pi_abort = Case aborted
wfp-lifecycle-withdraw = Withdrawn
wfp-actor = By
wfp-role = Role
wfp-cancel-title = Cancel this instance
wfp-cancel-reason = Reason for cancelling
wfp-cancel-button = Cancel the instance
field-error-cancel_reason_required = Give the reason for cancelling (at most 500 characters).

wfp-mining-lead = See where work waits, from this system's own event log or from a log exported by another system.
wfp-mining-engine = This system's event log
wfp-mining-analyse = Analyse
wfp-mining-paste = A log from another system
wfp-mining-format = Format
wfp-mining-log = Event log
wfp-mining-log-hint = Paste an XES file, or CSV with case, activity and timestamp columns (optional: lifecycle, role, resource). At most 800 kB; larger logs: phos workflow dfg.
wfp-mining-pasted = the pasted log
wfp-mining-result = Analysis of { $name }
wfp-mining-cases = { $count ->
    [one] 1 case
   *[other] { $count } cases
}
wfp-mining-events = { $count ->
    [one] 1 event
   *[other] { $count } events
}
wfp-mining-truncated = The log is long: only its first 200,000 events were read.
wfp-dfg = Directly-follows graph
wfp-dfg-explain = Each arrow shows how often one activity was directly followed by another, and the median wait between them. Completed steps only.
wfp-dfg-title = Directly-follows graph of { $name }
wfp-throughput = Throughput time (start to end of a case)
wfp-median = Median
wfp-p90 = 90th percentile
wfp-mean = Mean
wfp-max = Longest
wfp-bottlenecks = Bottlenecks
wfp-bottlenecks-explain = The wait before each activity (from the end of the step before it to its start), by role, longest median first.
wfp-steps = Steps
wfp-median-wait = Median wait
wfp-p90-wait = 90th percentile wait
wfp-median-service = Median work time
wfp-variants = Variants
wfp-variant = Sequence of activities
wfp-cases = Cases
wfp-variants-more = { $count ->
    [one] 1 more variant not shown.
   *[other] { $count } more variants not shown.
}
field-error-wf_log_required = Paste an event log.
field-error-wf_log_too_large = The log is larger than { $max } kB; use phos workflow dfg for large logs.
field-error-wf_log_invalid = The log could not be read: { $detail }
field-error-wf_log_too_many_events = The log has more than { $max } events; use phos workflow dfg for large logs.
field-error-wf_log_empty = The log has no events.

wfp-simulation-lead = Replays the recorded work of a process (its variants, work times and arrivals) with the people per role you choose, and compares the scenarios side by side.
wfp-simulation-choose = Choose
wfp-simulation-no-log = This process has no recorded work yet.
wfp-simulation-recorded = { $count ->
    [one] Learnt from 1 recorded case.
   *[other] Learnt from { $count } recorded cases.
}
wfp-simulation-staffing = People per role in each scenario
wfp-scenario = Scenario { $n }
wfp-simulation-hint = Leave a role empty for as many people as needed; leave a whole scenario empty to skip it.
wfp-simulation-cases = Simulated cases
wfp-simulation-sla = Target (hours, optional)
wfp-simulation-seed = Seed
wfp-simulation-run = Compare
wfp-simulation-results = Results
wfp-simulation-measure = Measure
wfp-simulation-mean-wait = Mean wait for a free person
wfp-simulation-p90-wait = 90th percentile wait
wfp-simulation-throughput = Mean throughput time
wfp-simulation-utilisation = Utilisation: { $role }
wfp-simulation-breaches = Cases over the target
field-error-wf_people_invalid = Enter a whole number of people from 1 to { $max }, or leave it empty.
field-error-wf_cases_invalid = Enter a number of cases from 1 to { $max }.
field-error-wf_sla_hours_invalid = Enter the target as a whole number of hours from 1 to 10000, or leave it empty.
field-error-wf_seed_invalid = Enter the seed as a whole number from 0.
field-error-wf_scenario_required = Give the number of people for at least one role.
