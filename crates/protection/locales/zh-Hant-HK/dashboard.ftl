# 衞生防護：流行病學人員的儀表板。

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
