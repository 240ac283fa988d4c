//! `meshls generate dagster` through the binary: snapshots of the generated modules on the
//! `fixtures/dagster` projects, determinism, options from `meshls.toml` and flags, and
//! `--check` (exit 0 when current, 1 with a diff when stale or missing). Real Dagster loads and
//! runs these modules in `tests/dagster.rs`.

#[path = "support/fixture.rs"]
mod fixture;

use std::path::Path;
use std::process::{Command, Output};

fn generate(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshls"))
        .args(["generate", "dagster"])
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn snapshots_of_the_generated_modules() {
    for name in ["shop", "timetable"] {
        let (dir, _root) = fixture::fixture(&format!("dagster/{name}"));
        // From the folder above the project, the module beside it: paths in it are relative.
        let cwd = dir.path().join("dagster");
        let out = generate(&cwd, &[name, "-o", "defs.py"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let module = std::fs::read_to_string(cwd.join("defs.py")).unwrap();
        insta::assert_snapshot!(format!("dagster_{name}"), module);
        // Byte for byte the same on a second run, and on stdout.
        let again = generate(&cwd, &[name]);
        assert_eq!(
            text(&again.stdout).replace(&format!("dagster {name}\n"), &format!("dagster {name} -o defs.py\n")),
            module
        );
    }
}

#[test]
fn check_passes_when_current_and_shows_a_diff_when_stale() {
    let (_dir, root) = fixture::fixture("dagster/shop");
    let missing = generate(&root, &[".", "-o", "defs.py", "--check"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("defs.py does not exist"), "{}", text(&missing.stderr));

    assert!(generate(&root, &[".", "-o", "defs.py"]).status.success());
    let current = generate(&root, &[".", "-o", "defs.py", "--check"]);
    assert_eq!(current.status.code(), Some(0), "{}{}", text(&current.stdout), text(&current.stderr));
    assert!(current.stdout.is_empty());

    // A model gains an audit: the file is stale, and the diff says how.
    let model = root.join("models/top_customers.sql");
    let edited = std::fs::read_to_string(&model)
        .unwrap()
        .replace("cron '@daily'", "cron '@daily',\n  audits (not_null(columns := (customer_id)))");
    std::fs::write(&model, edited).unwrap();
    let before = std::fs::read_to_string(root.join("defs.py")).unwrap();
    let stale = generate(&root, &[".", "-o", "defs.py", "--check"]);
    assert_eq!(stale.status.code(), Some(1));
    let diff = text(&stale.stdout);
    assert!(diff.starts_with("--- a/defs.py\n+++ b/defs.py\n"), "{diff}");
    assert!(diff.contains("+        asset=dg.AssetKey([\"shop\", \"top_customers\"]),"), "{diff}");
    assert!(text(&stale.stderr).contains("defs.py is stale"), "{}", text(&stale.stderr));
    // --check writes nothing.
    assert_eq!(std::fs::read_to_string(root.join("defs.py")).unwrap(), before);
    assert!(generate(&root, &[".", "-o", "defs.py"]).status.success());
    assert_eq!(generate(&root, &[".", "-o", "defs.py", "--check"]).status.code(), Some(0));
}

#[test]
fn options_from_meshls_toml_and_flags() {
    let (_dir, root) = fixture::fixture("dagster/shop");
    std::fs::write(
        root.join("meshls.toml"),
        "[codegen.dagster]\noutput = \"orchestration/defs.py\"\nkey_prefix = [\"warehouse\"]\n\
         external_key_template = \"landing/{node.name}\"\nselect = [\"+shop.order_totals\"]\n\
         gateway = \"local\"\nretry_policy = { max_retries = 2, delay = 30 }\nop_tags = { team = \"data\" }\n",
    )
    .unwrap();
    assert!(generate(&root, &["."]).status.success());
    let module = std::fs::read_to_string(root.join("orchestration/defs.py")).unwrap();
    // `output` is relative to the project root; the module finds the project from its folder.
    assert!(module.contains("        \"..\",\n") || module.contains(", \"..\")"), "{module}");
    assert!(module.contains("key=dg.AssetKey([\"warehouse\", \"shop\", \"order_totals\"])"), "{module}");
    assert!(module.contains("key=dg.AssetKey([\"warehouse\", \"landing\", \"orders\"])"), "{module}");
    // `+shop.order_totals`: it and its upstream only.
    assert!(!module.contains("top_customers"), "{module}");
    assert!(!module.contains("\"shop.customers\""), "{module}");
    assert!(module.contains("SQLMESH_GATEWAY = \"local\""), "{module}");
    assert!(module.contains("retry_policy=dg.RetryPolicy(max_retries=2, delay=30)"), "{module}");
    assert!(module.contains("op_tags={\"dagster/concurrency_key\": \"sqlmesh\", \"team\": \"data\"}"), "{module}");
    assert_eq!(generate(&root, &[".", "--check"]).status.code(), Some(0));

    // Flags win over the file (the module still goes to its `output`); an excluded upstream model becomes an external asset.
    let out =
        generate(&root, &[".", "--select", "shop.top_customers", "--key-prefix", "x/y", "--default-group", "mart"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let module = std::fs::read_to_string(root.join("orchestration/defs.py")).unwrap();
    assert!(module.contains("key=dg.AssetKey([\"x\", \"y\", \"shop\", \"top_customers\"])"), "{module}");
    assert!(module.contains("group_name=\"mart\""), "{module}");
    let external = module.split("MODEL_ASSETS = ").next().unwrap();
    assert!(external.contains("\"sqlmesh/note\": \"a SQLMesh model outside the selection\""), "{external}");

    std::fs::write(root.join("meshls.toml"), "[codegen.dagster]\nkey_prefx = \"typo\"\n").unwrap();
    let broken = generate(&root, &["."]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(text(&broken.stderr).contains("key_prefx"), "{}", text(&broken.stderr));
}
