"""The scorecard: contract terms as data, monthly KPIs, honest SLA states and credits owed.

Plain Python over ibis tables (the lake) and audited charts (final audits); no Django.

    from codingwatch.scorecard import kpis, sla, credits, terms
    sources = kpis.Sources.from_lake(lake.connect(), audited=charts, roster=coders)
    rows = kpis.monthly(sources, first, last, by=("vendor", "coder"))
    months = sla.evaluate_contracts(sources, [contract_terms], first, last)
    months[0].results      # TermResult per term: met | breached | not enough evidence
    months[0].credits      # credits.Credits: invoice, lines with every input, total
"""
