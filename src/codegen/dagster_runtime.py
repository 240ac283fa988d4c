class SQLMeshRunConfig(dg.Config):
    """How the SQLMesh step runs: set in the launchpad or in a schedule's run config."""

    gateway: Optional[str] = SQLMESH_GATEWAY
    environment: str = SQLMESH_ENVIRONMENT
    ignore_cron: bool = False


class _RunRecorder(NoopConsole):
    """SQLMesh's console for one run: what ran, failed and was skipped; logs go to Dagster."""

    def __init__(self, log):
        super().__init__()
        self.log = log
        self.evaluated = {}
        self.failed = {}
        self.audited = set()
        self.skipped = set()
        self.audit_failures = []

    def update_snapshot_evaluation_progress(
        self, snapshot, interval, batch_idx, duration_ms, *args, **kwargs
    ):
        self.evaluated.setdefault(snapshot.name, []).append((interval, duration_ms))

    def log_failed_models(self, errors):
        for error in errors:
            name = getattr(error.node, "snapshot_name", None)
            cause = error.__cause__ or error
            self.failed[name] = str(cause)
            if isinstance(cause, NodeAuditsErrors):
                self.audited.add(name)
            self.log.error(f"SQLMesh: {name} failed: {cause}")

    def log_skipped_models(self, snapshot_names):
        self.skipped.update(snapshot_names)

    def log_warning(self, short_message, long_message=None, *args, **kwargs):
        self.log.warning(long_message or short_message)

    def log_error(self, message, *args, **kwargs):
        self.log.error(message)

    def log_status_update(self, message):
        self.log.info(message)

    def log_success(self, message):
        self.log.info(message)


class _AuditFailures:
    """SQLMesh's notification targets, which also hear of every failed audit."""

    def __init__(self, manager, recorder):
        self._manager = manager
        self._recorder = recorder

    def notify(self, event, *args, **kwargs):
        if event == NotificationEvent.AUDIT_FAILURE and args:
            self._recorder.audit_failures.append(args[0])
        self._manager.notify(event, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._manager, name)


def _same_args(check_args, audit_args):
    def normal(text):
        return "".join(str(text).split()).strip("()").lower()

    return {k: normal(v) for k, v in check_args.items()} == {
        str(k): normal(v.sql() if hasattr(v, "sql") else v)
        for k, v in audit_args.items()
        if str(k) != "blocking"
    }


def _check_results(model, errors):
    """One result per audit of the model, from the audits that failed."""
    checks = CHECKS.get(model, [])
    failed = {}
    for error in errors:
        candidates = [
            c for c in checks if c[1] == error.audit_name and c[0] not in failed
        ]
        matching = [c for c in candidates if _same_args(c[3], error.audit_args)]
        for check in (matching or candidates)[:1]:
            failed[check[0]] = error
    for name, audit, blocking, args in checks:
        error = failed.get(name)
        metadata = {"sqlmesh/audit": audit}
        if error is not None:
            metadata["sqlmesh/failed_rows"] = error.count
            metadata["sqlmesh/query"] = dg.MetadataValue.md(
                f"```sql\n{error.sql()}\n```"
            )
        yield dg.AssetCheckResult(
            asset_key=MODELS[model],
            check_name=name,
            passed=error is None,
            severity=dg.AssetCheckSeverity.ERROR
            if blocking
            else dg.AssetCheckSeverity.WARN,
            metadata=metadata,
        )


def run_sqlmesh(context: dg.AssetExecutionContext, config: SQLMeshRunConfig):
    """Runs SQLMesh for the selected models and reports what it did, model by model."""
    selected = sorted(
        name for name, key in MODELS.items() if key in context.selected_asset_keys
    )
    sqlmesh = Context(paths=SQLMESH_PROJECT, gateway=config.gateway)
    recorder = _RunRecorder(context.log)
    sqlmesh.console = recorder
    sqlmesh.notification_target_manager = _AuditFailures(
        sqlmesh.notification_target_manager, recorder
    )
    fqns = {name: sqlmesh.get_model(name).fqn for name in selected}
    status = sqlmesh.run(
        config.environment,
        select_models=selected,
        no_auto_upstream=True,
        ignore_cron=config.ignore_cron,
    )
    failures = {}
    for error in recorder.audit_failures:
        failures.setdefault(error.model.fqn if error.model else None, []).append(error)
    failed = []
    for name in selected:
        fqn = fqns[name]
        if fqn in recorder.failed:
            failed.append(name)
        elif fqn in recorder.skipped:
            context.log.warning(f"{name}: skipped by SQLMesh, an upstream model failed")
        elif fqn in recorder.evaluated:
            batches = recorder.evaluated[fqn]
            yield dg.MaterializeResult(
                asset_key=MODELS[name],
                metadata={
                    "sqlmesh/batches": len(batches),
                    "sqlmesh/interval_start": min(i[0] for i, _ in batches),
                    "sqlmesh/interval_end": max(i[1] for i, _ in batches),
                    "sqlmesh/duration_ms": sum(d or 0 for _, d in batches),
                },
            )
        else:
            context.log.info(f"{name}: no interval of it was due, nothing to run")
        if fqn in recorder.audited or (
            fqn in recorder.evaluated and fqn not in recorder.failed
        ):
            yield from _check_results(name, failures.get(fqn, []))
    if failed or not (status.is_success or status.is_nothing_to_do):
        raise dg.Failure(
            description="SQLMesh failed for " + (", ".join(failed) or "the run"),
            metadata={name: recorder.failed.get(fqns[name], "") for name in failed},
        )
