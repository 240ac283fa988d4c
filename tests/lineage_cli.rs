//! `meshls lineage` through the binary on `fixtures/lineage`: each format, the direction and
//! depth flags, and the errors (exit code 2) for names that are not there.

use std::path::PathBuf;
use std::process::Command;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/lineage")
}

/// `meshls lineage ARGS...` run inside the fixture (PATH defaults to it): stdout, stderr and
/// the exit code.
fn lineage(args: &[&str]) -> (String, String, Option<i32>) {
    let output =
        Command::new(env!("CARGO_BIN_EXE_meshls")).arg("lineage").args(args).current_dir(fixture()).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "meshls panicked:\n{stderr}");
    (stdout, stderr, output.status.code())
}

/// The stdout of a run that must succeed with nothing on stderr.
fn ok(args: &[&str]) -> String {
    let (stdout, stderr, code) = lineage(args);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
    // The same run twice prints the same text.
    assert_eq!(lineage(args).0, stdout);
    stdout
}

#[test]
fn a_column_both_ways() {
    // `user_id` comes from both sides of `USING (user_id)`.
    insta::assert_snapshot!("user_plays_user_id", ok(&["mart.user_plays.user_id"]));
    // Up to the source and down to every mart that reads it.
    insta::assert_snapshot!("stage_plays_play_date", ok(&["stage.plays.play_date"]));
}

#[test]
fn a_whole_model_starts_from_every_column() {
    insta::assert_snapshot!("user_plays", ok(&["mart.user_plays", "--upstream"]));
}

#[test]
fn downstream_one_step() {
    insta::assert_snapshot!(
        "stage_plays_user_id_downstream_1",
        ok(&["stage.plays.user_id", "--downstream", "--depth", "1"])
    );
}

#[test]
fn a_cut_walk_says_so() {
    insta::assert_snapshot!(
        "user_plays_user_id_upstream_1",
        ok(&["mart.user_plays.user_id", "--upstream", "--depth", "1"])
    );
}

#[test]
fn names_are_normalized_and_path_is_taken() {
    // DuckDB lowercases identifiers, quoted or not; PATH may be given explicitly.
    let path = fixture();
    let (stdout, stderr, code) = {
        let output = Command::new(env!("CARGO_BIN_EXE_meshls"))
            .args(["lineage", "MART.User_Plays.\"USER_ID\""])
            .arg(&path)
            .output()
            .unwrap();
        (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap(), output.status.code())
    };
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, ok(&["mart.user_plays.user_id"]));
}

#[test]
fn mermaid() {
    insta::assert_snapshot!("known_users_mermaid", ok(&["mart.known_users", "--format", "mermaid"]));
}

#[test]
fn dot() {
    insta::assert_snapshot!("top_tracks_listeners_dot", ok(&["mart.top_tracks.listeners", "--format", "dot"]));
}

#[test]
fn json() {
    // Through a struct column: `stage.tracks.info` holds the title.
    let stdout = ok(&["mart.play_facts.track_title", "--upstream", "--format", "json"]);
    let graph: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(graph["truncated"], false);
    insta::assert_snapshot!("play_facts_track_title_json", stdout);
}

#[test]
fn unknown_names_exit_2_with_a_suggestion() {
    let (stdout, stderr, code) = lineage(&["mart.user_plays.user_idd"]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "meshls: model `mart.user_plays` has no column `user_idd`; did you mean `mart.user_plays.user_id`?\n"
    );

    let (stdout, stderr, code) = lineage(&["mart.user_play.user_id"]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert_eq!(stderr, "meshls: no model `mart.user_play`; did you mean `mart.user_plays.user_id`?\n");

    let (_, stderr, code) = lineage(&["mart.top_trakcs"]);
    assert_eq!(code, Some(2));
    assert_eq!(stderr, "meshls: no model `mart.top_trakcs`; did you mean `mart.top_tracks`?\n");

    let (_, stderr, code) = lineage(&["nothing.here"]);
    assert_eq!(code, Some(2));
    assert_eq!(stderr, "meshls: no model `nothing.here` (`meshls index` lists the models)\n");
}

/// A graph that reaches a model whose columns meshls cannot trace says so, rather than
/// printing a silently shorter tree: after the tree, in the JSON, on stderr beside a drawing.
#[test]
fn an_incomplete_graph_says_so() {
    let bikeshop = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/bikeshop");
    let bikeshop = bikeshop.to_str().unwrap();
    let (stdout, _, code) = lineage(&["marts.bike_type_mix", bikeshop]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("\nincomplete: lineage stops at models meshls could not read\n  staging.stg_bikes: "),
        "{stdout}"
    );
    let (json, _, _) = lineage(&["marts.bike_type_mix", bikeshop, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["incomplete"][0]["model"], "staging.stg_bikes");
    let (_, stderr, _) = lineage(&["marts.bike_type_mix", bikeshop, "--format", "dot"]);
    assert!(stderr.starts_with("meshls: incomplete lineage: staging.stg_bikes: "), "{stderr}");
    // A complete graph says nothing of the kind.
    assert!(!ok(&["mart.user_plays.user_id"]).contains("incomplete"));
}
