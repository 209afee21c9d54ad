workflow-mining-title = 流程挖掘
workflow-error-log_invalid = 無法讀取事件日誌：{ $detail }
workflow-error-log_unreadable = 無法開啟事件日誌檔案。
