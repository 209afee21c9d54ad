# 衞生防護：公眾監測頁及開放數據。

prot-home-open = 傳染病監測
prot-home-open-desc = 按地區列出法定須呈報疾病每週確診及疑似個案，可下載 CSV 及 JSON。

## 開放數據
prot-open-title = 傳染病監測：每週個案
prot-open-intro = 按呈報週（個案首次呈報的一週）及居住地區列出法定須呈報疾病的確診及疑似個案。個案經調查及重新分類後，數字會有改變。
prot-open-show = 顯示
prot-open-suppression-title = 細小數字不予顯示
prot-open-suppression = 為保障當事人的私隱，某區某週有 1 至 { $count } 減 1 宗個案時，會顯示為「<{ $count }」。
prot-open-totals = 總數只把顯示的數字相加：標有「≥」的總數未計隱藏的數字，因此不能從總數推算出隱藏的數字。
prot-open-table-caption = { $what }：按呈報週及地區的個案
prot-open-downloads = 下載數據
prot-open-csv = 以 CSV 下載這些週的數據
prot-open-json = 以 JSON 下載這些週的數據
prot-open-api = 如需其他疾病、週數或地區，請使用開放數據 API：
prot-open-curve-title = { $what }：按呈報週的個案
prot-open-curve-desc = { $what }，所有地區，第 { $from } 週至第 { $to } 週：下表所顯示數字的總和，每週一條棒（不包括隱藏的細小數字）。
prot-open-series = 個案（顯示的數字）
prot-open-settings-title = 開放數據設定
prot-open-settings-desc = 公眾監測頁及下載數據中，低於此門檻的數字不予顯示。
prot-open-settings-intro = 公眾監測頁及開放數據下載會隱藏低於此門檻的個案數字。
prot-open-settings-saved = 門檻已儲存。
prot-open-threshold = 個案數字低於此數時隱藏
prot-open-threshold-hint = 2 至 100 的整數，一般為 5。
prot-open-save = 儲存

error-invalid_parameters-title = 部分參數無效
field-error-from_after_to = 範圍的開始不可遲於結束
field-error-range_too_long = 每次最多查詢 { $max } 週
field-error-unknown_format = 請選擇 json 或 csv 格式（收到「{ $value }」）
field-error-threshold_range = 請輸入 { $min } 至 { $max } 的整數
prot-dash-signals-none = 按此選擇，沒有待分流的訊號。
prot-dash-signals-count = 共有 { $count } 個訊號待分流；下表列出最新的 { $shown } 個。
prot-dash-signals-caption = 待分流的訊號（最新一週在前）
