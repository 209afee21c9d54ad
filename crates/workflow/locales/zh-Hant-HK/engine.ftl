# 服務水平時鐘、流程實例遷移及一致性檢查（議題 12，協助者「engine」）。

field-error-bpmn_sla_missing_id = 服務水平承諾（phos:sla）沒有 id。
field-error-bpmn_sla_duplicate_id = 兩項服務水平承諾的 id 相同。
field-error-bpmn_sla_unknown_node = 服務水平承諾指明的步驟不在流程之中。
field-error-bpmn_sla_bad_duration = 無法讀取服務水平承諾的時限（例如以 calendar="business" 配合 P10D，或 PT48H）。
field-error-bpmn_sla_no_escalation = 服務水平承諾沒有指明上報的職務（escalateTo）。
field-error-bpmn_sla_unknown_escalation = 服務水平承諾上報的職務並不存在。

workflow-sla-status-running = 計時中
workflow-sla-status-paused = 已暫停
workflow-sla-status-stopped = 已停止

notify-workflow-sla-escalation-subject = 服務水平承諾已用 ((percent))%：((process))的「((sla))」
notify-workflow-sla-escalation-body =
    ((process))（實例 ((instance))）的服務水平承諾「((sla))」已用去 ((percent))% 的時間，限期為 ((due))。
    請確保有人跟進：((link))

error-migration_bad_version-title = 請以「流程鍵:版本」（例如 complaint:1）或定義 id 指明版本
error-migration_not_found-title = 沒有這個定義版本
error-migration_different_process-title = 兩個版本必須屬於同一流程
error-migration_same_version-title = 來源版本與目標版本相同
error-migration_stranded-title = 部分實例會被擱置：未有遷移任何實例
field-error-migration_stranded = 此實例的步驟 { $node } 在目標版本中不存在，或屬於不同類型的步驟。
