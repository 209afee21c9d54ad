# Health protection: clusters.

## Clusters
prot-no-clusters = No clusters yet.
prot-cluster-name = Name
prot-cases-count = Cases
prot-links-count = Links
prot-new-cluster = Create a cluster
prot-description = Description
prot-create-cluster = Create cluster
prot-chain = Transmission chain
prot-chain-intro = Each arrow goes from the case that infected to the case infected. The table below gives the same information.
prot-chain-title = Transmission chain of { $ref }
prot-chain-desc = { $count ->
    [one] 1 case. Links:
   *[other] { $count } cases. Links:
}
prot-chain-desc-none = { $count ->
    [one] 1 case, no links yet.
   *[other] { $count } cases, no links yet.
}
prot-links = Links
prot-no-links = No links yet.
prot-target = Infected
prot-note = Note
prot-actions = Actions
prot-remove = Remove
prot-cluster-cases = Cases in this cluster
prot-generation = Generation
prot-add-case-to-cluster = Add a case to this cluster
prot-case-reference = Case reference
prot-add = Add
prot-add-link = Add a transmission link
prot-source-long = Infected by (source case)
prot-target-long = Infected (target case)
prot-close-cluster = Close this cluster
prot-reopen-cluster = Reopen this cluster
