# 流程引擎（個案及任務）的錯誤。
error-task_already_claimed-title = 此任務已由其他人認領
error-task_not_yours-title = 此任務並非由你認領
error-task_closed-title = 此任務已完成或已取消
error-task_not_for_your_roles-title = 你的角色均不可處理此任務
error-four_eyes-title = 你已完成準備步驟，須由另一人批核
error-instance_changed-title = 個案剛有變更，請再試一次
error-instance_not_running-title = 此個案已不再進行
error-message_not_expected-title = 此個案並非在等候該訊息
error-variables_not_object-title = 變數必須是 JSON 物件
error-definition_unreadable-title = 無法讀取已儲存的流程定義
error-workflow_no_path-title = 決策點沒有適用的後續路徑
error-workflow_service_failed-title = 自動步驟失敗
error-workflow_not_waiting-title = 個案並非在該步驟等候
error-workflow_runaway-title = 流程無止境地循環
error-workflow_no_start-title = 流程沒有開始事件
error-cancel_reason_required-title = 請提供取消的原因（最多 500 字）
