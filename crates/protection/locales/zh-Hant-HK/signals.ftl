# 訊號：每日偵測、分流及當值人員。

prot-sig-title = 訊號
prot-sig-desc = 每日偵測及時空掃描發出的警報，供分流處理。
prot-sig-intro = 每天早上 07:00，偵測程序會檢查上星期每種疾病在各區及全港的個案數目，並掃描跨區的群組。每個警報都會成為一個待評估的訊號。
prot-sig-one = 訊號：
prot-sig-status = 狀態
prot-sig-area = 地區
prot-sig-area-hk = 全港
prot-sig-method = 方法
prot-sig-count = { $count } 個訊號
prot-sig-none = 沒有符合的訊號。
prot-sig-week = 星期開始日
prot-sig-observed = 個案
prot-sig-upperbound = 上限
prot-sig-expected = 預期個案
prot-sig-districts = 群組所涉地區
prot-sig-p-value = p 值
prot-sig-reason = 理由
prot-sig-reason-hint = 排除訊號時必須填寫。請說明你查核了甚麼。
prot-sig-runs = 最近的偵測
prot-sig-no-runs = 偵測尚未執行。
prot-sig-run-at = 執行時間
prot-sig-run-series = 已檢查序列
prot-sig-run-raised = 新訊號
prot-sig-run-ms = 毫秒
prot-sig-duty = 當值人員
prot-sig-duty-desc = 當值人員會收到每次偵測新訊號的摘要，以及每個分流決定的通知。
prot-sig-duty-emails = 當值人員的職員電郵地址
prot-sig-duty-emails-hint = 一個或多個職員電郵地址，每行一個。
prot-sig-duty-language = 通知語言
prot-sig-duty-save = 儲存當值人員
prot-sig-duty-none = 未設定當值人員。
prot-sig-duty-saved = 已儲存當值人員。
prot-sig-saved = 已儲存你的決定，並已通知當值人員。
prot-sig-evidence = 證據
prot-sig-chart-caption = 柱形為每星期個案數目，虛線為方法的上限；警報星期以深紅色顯示並以三角形標示。下表列出相同數字。
prot-sig-chart-caption-scan = 柱形為群組所涉地區每星期的個案數目；群組的星期以深紅色顯示並以三角形標示。下表列出相同數字。
prot-sig-chart-desc = { $count } 個星期的每星期個案數目及上限。
prot-sig-chart-alarms = 警報星期：{ $value }。
prot-sig-table = 以表格顯示數字
prot-sig-alarm = 警報
prot-sig-params = 方法及參數
prot-sig-threshold-min = 每星期少於 { $count } 宗個案不會發出訊號。
prot-sig-not-run = 未能執行的方法
prot-sig-needs = 需要 { $count } 個星期的歷史數據
prot-sig-has = 序列只有 { $count } 個星期
prot-sig-triage = 決定
prot-sig-closed = 此訊號已有決定。
prot-sig-decision = 你的決定是？
prot-sig-action-assessing = 進行評估（評估中）
prot-sig-action-outbreak = 開立爆發個案
prot-sig-action-dismissed = 排除
prot-sig-cluster = 爆發的群組
prot-sig-cluster-hint = 連結一個未結束的群組，或保留原樣以開立新群組。
prot-sig-other-disease = 即使群組屬另一種疾病，仍然連結
prot-sig-cluster-new = 開立新群組
prot-sig-decide = 儲存決定
prot-sig-history = 決定紀錄
prot-sig-when = 時間
prot-sig-from = 由
prot-sig-to = 至
prot-sig-by = 決定人
prot-sig-status-new = 新
prot-sig-status-assessing = 評估中
prot-sig-status-outbreak = 已開立爆發
prot-sig-status-dismissed = 已排除
prot-sig-method-ears-c1 = EARS C1
prot-sig-method-ears-c2 = EARS C2
prot-sig-method-ears-c3 = EARS C3
prot-sig-method-farrington-flexible = Farrington（彈性）
prot-sig-method-cusum = CUSUM
prot-sig-method-threshold = 閾值
prot-sig-method-scan = 時空掃描
field-error-signal_stale = 你打開此訊號後，已有人作出決定。請查看其狀態及紀錄，然後再決定
field-error-not_staff_email = { $value } 不是職員的電郵地址
error-signal_stale-title = 訊號在讀取後已有改動
notify-protection-signals-raised-subject = PHOS：((week)) 開始的星期有 ((count)) 個新訊號
notify-protection-signals-raised-body =
    偵測程序為 ((week)) 開始的星期發出 ((count)) 個新訊號：
    
    ((list))
    
    請在 ((link)) 分流處理
notify-protection-signal-triaged-subject = PHOS 訊號：((status))
notify-protection-signal-triaged-body =
    一個訊號已被分流。
    
    ((signal))
    決定：((status))
    理由：((reason))
    群組：((cluster))
    決定人：((by))
    
    ((link))
