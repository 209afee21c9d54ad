# FHIR R4 錯誤（OperationOutcome 的 details.text 為英文，中文載於其 translation 擴展）。
fhir-error-unknown_type = 本伺服器沒有資源類型「{ $name }」。可用的類型為 Location、HealthcareService、Schedule、Slot 及 Appointment。
fhir-error-not_found = 找不到 { $name }/{ $ref }。
fhir-error-bad_value = 搜尋參數 { $name } 的值「{ $value }」無效。
fhir-error-unsupported_prefix = 搜尋參數 { $name } 不支援前綴「{ $value }」。請使用 eq、ne、gt、lt、ge 或 le。
fhir-error-bad_modifier = 搜尋參數 { $name } 不支援修飾詞「:{ $value }」。
fhir-error-unknown_parameter = 未知的搜尋參數「{ $name }」（因 Prefer: handling=strict 而拒絕）。
fhir-error-ignored_parameters = 以下搜尋參數不受支援，已被略去：{ $value }。
fhir-error-count_out_of_range = _count 必須是 0 至 100 的整數，而非「{ $value }」。
fhir-error-offset_out_of_range = _offset 必須是 0 至 1000000 的整數，而非「{ $value }」。
fhir-error-unsupported_format = 只支援 JSON（_format=json），不支援「{ $value }」。
fhir-error-bad_query = 無法讀取查詢字串。
fhir-error-internal = 抱歉，服務出現問題。請稍後再試。

# FHIR 讀取在「誰查閱過我的紀錄」中的顯示。
audit-action-fhir-appointment-read = 查閱了預約（經 FHIR 介面）
