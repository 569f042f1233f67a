from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "codingwatch.web.scorecard"
    label = "scorecard"
    verbose_name = "Scorecard"

    def ready(self):
        from codingwatch.ingest import contract
        from codingwatch.web.scorecard.warm import after_load

        if after_load not in contract.AFTER_COMMIT:  # the scorecard months, warmed when a load commits
            contract.AFTER_COMMIT.append(after_load)
