# 衞生防護：群組。

## 群組
prot-no-clusters = 暫未有群組。
prot-cluster-name = 名稱
prot-cases-count = 個案
prot-links-count = 傳播關係
prot-new-cluster = 建立群組
prot-description = 描述
prot-create-cluster = 建立群組
prot-chain = 傳播鏈
prot-chain-intro = 每個箭咀由傳染者個案指向受感染個案。下表提供相同資料。
prot-chain-title = { $ref } 的傳播鏈
prot-chain-desc = { $count } 宗個案。傳播關係：
prot-chain-desc-none = { $count } 宗個案，暫未有傳播關係。
prot-links = 傳播關係
prot-no-links = 暫未有傳播關係。
prot-target = 受感染者
prot-note = 備註
prot-actions = 操作
prot-remove = 移除
prot-cluster-cases = 此群組的個案
prot-generation = 代數
prot-add-case-to-cluster = 把個案加入此群組
prot-case-reference = 個案編號
prot-add = 加入
prot-add-link = 加入傳播關係
prot-source-long = 傳染者（源頭個案）
prot-target-long = 受感染者（目標個案）
prot-close-cluster = 結束此群組
prot-reopen-cluster = 重開此群組
