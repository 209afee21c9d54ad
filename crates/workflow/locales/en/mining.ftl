workflow-mining-title = Process mining
workflow-error-log_invalid = The event log cannot be read: { $detail }
workflow-error-log_unreadable = The event log file cannot be opened.
