# Health protection: need-to-know assignments.

## Assignments
prot-assignments-intro = Epidemiologists see people named only for the cases and clusters assigned to them.
prot-unassigned-cases = See cases nobody is assigned to.
prot-assign = Assign
prot-epidemiologist = Epidemiologist
prot-current-assignments = Current assignments
prot-end-assignment = End
