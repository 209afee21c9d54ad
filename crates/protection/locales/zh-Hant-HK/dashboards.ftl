# 衞生防護：流行病學人員的儀表板、公眾監測頁及開放數據。

prot-home-open = 傳染病監測
prot-home-open-desc = 按地區列出法定須呈報疾病每週確診及疑似個案，可下載 CSV 及 JSON。

## 儀表板
prot-dash-title = 監測儀表板
prot-dash-desc = 流行曲線、各區發病率、本週主要疾病，以及呈報和跟進的時效。
prot-dash-intro = 數字來自與每宗個案同步更新的統計：按呈報週（首次呈報的一週）計算個案。
prot-dash-all-diseases = 所有疾病
prot-dash-all-districts = 所有地區
prot-dash-period = 期間
prot-dash-last-weeks = { $count ->
   *[other] 最近 { $count } 週
}
prot-dash-classes-cp = 確診及疑似
prot-dash-classes-c = 只計確診
prot-dash-classes-cps = 確診、疑似及懷疑
prot-dash-stack = 棒形按以下分組
prot-dash-stack-class = 個案分類
prot-dash-stack-region = 區域
prot-dash-showing = 呈報週由 { $from } 至 { $to }。
prot-dash-curve-title = 按呈報週的流行曲線
prot-dash-curve-desc = { $what }，{ $where }：由第 { $from } 週至第 { $to } 週共呈報 { $count } 宗個案，每週一條棒。下表列出相同數字。
prot-dash-curve-table = 以表格顯示流行曲線
prot-dash-axis-week = 呈報週
prot-dash-axis-cases = 個案
prot-dash-total = 總數
prot-dash-region-HK = 香港島
prot-dash-region-KLN = 九龍
prot-dash-region-NT = 新界及離島
prot-dash-region-UNK = 地區不詳
prot-dash-map-title = 各區每十萬人口個案
prot-dash-map-intro = 每個方格代表一個地區，大致按地圖位置排列。方格顏色愈深，該期間的發病率愈高。地區不詳的個案不在地圖上顯示。
prot-dash-map-desc = { $what } 由第 { $from } 週至第 { $to } 週的 18 區方格地圖：每格顯示地區代號、每十萬人口發病率及個案數目。下表列出相同數字。
prot-dash-map-legend = 每十萬人口
prot-dash-no-cases = 沒有個案
prot-dash-map-table = 以表格顯示各區發病率
prot-dash-population = 人口
prot-dash-rate = 每十萬人口
prot-dash-top-title = 本週主要疾病
prot-dash-top-caption = 第 { $week } 呈報週及前一週的個案
prot-dash-this-week = 本週
prot-dash-last-week = 上週
prot-dash-change = 變化
prot-dash-kpi-title = 時效
prot-dash-kpi-intro = 期間內呈報的個案由發病至呈報的日數，以及由呈報至其任何接觸者首次每日跟進紀錄的日數。「按時呈報」計算在疾病規定時限內（即時及 24 小時呈報的疾病為 1 日，其他為 3 或 7 日）由發病起呈報的個案比例。
prot-dash-kpi-all-districts = 無論上面選擇哪一區，時效均按所有地區合計。
prot-dash-kpi-caption = 期間內各疾病的時效（日）
prot-dash-onset-to-notification = 發病至呈報
prot-dash-notification-to-followup = 呈報至首次跟進接觸者
prot-dash-cases-n = 個案
prot-dash-median = 中位數
prot-dash-p90 = 第 90 百分位數
prot-dash-within = 按時呈報
prot-dash-period-before = 所有疾病（前一期間）
prot-dash-signals-title = 未處理的訊號
prot-dash-signals-link = 待分流的訊號

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
