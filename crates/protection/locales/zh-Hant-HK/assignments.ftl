# 衞生防護：分派。

## 分派
prot-assignments-intro = 流行病學家只可看到分派給他們的個案及群組中當事人的姓名。
prot-unassigned-cases = 查看未分派的個案。
prot-assign = 分派
prot-epidemiologist = 流行病學家
prot-current-assignments = 現有分派
prot-end-assignment = 結束
