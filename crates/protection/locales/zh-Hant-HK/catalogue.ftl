# 衞生防護：疾病目錄。

## 目錄
prot-diseases-count = 目錄共有 { $count } 種疾病。
prot-diseases-source = 參考名單來源
prot-add-disease = 加入疾病
prot-edit-disease = 編輯
prot-episode-days = 病發期（天）
prot-incubation-days = 最長潛伏期（天）
prot-form-fields = 表格問題
prot-active = 生效中
prot-inactive = 已停用
prot-added-by-steward = 由數據管理員加入
prot-disease-code = 代碼
prot-disease-code-hint = 小寫英文字母、數字及底線，例如 disease_x。日後不可更改。
prot-name-en-disease = 英文名稱
prot-name-zh-disease = 中文名稱
prot-icd10 = ICD-10 編碼
prot-icd10-other = 其他 ICD-10 編碼（以逗號分隔）
prot-snomed = SNOMED CT 編碼（以逗號分隔）
prot-case-definition-en = 個案定義（英文）
prot-case-definition-zh = 個案定義（中文）
prot-immediate-phone = 亦須即時致電呈報
prot-episode-hint = 同一人在此日數內的呈報歸入同一個案。
prot-incubation-hint = 接觸者跟進至最後接觸日期加此日數；0 表示不作每日跟進。
prot-person-to-person = 可人傳人
prot-form-fields-hint = 每行一條問題：鍵 | text、date、yes_no 或 number | required 或 optional | 英文標籤 | 中文標籤
prot-field-library = 可複製的標準問題
prot-detection = 偵測設定（JSON）
prot-detection-hint = 例如 {"{"}"methods":["ears-c2"],"threshold_min":3{"}"}。方法：threshold、ears-c1、ears-c2、ears-c3、farrington-flexible、cusum。
prot-active-label = 生效中（取消勾選即停用此疾病）
