//! What the READMEs tell a user to type, checked against the package and
//! the program: the `cargo install` commands must name this repository,
//! this package and this binary in a form that works from the user's own
//! crate (the kit is not on crates.io, and `cargo run -p` names a package
//! of the current workspace only), and every `maskinporten-stand-in`
//! command line they show must be one the program accepts.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Toml};

use crate::stand_in::{free_port, run_to_end, scratch, start_in};

/// The kit's directory, and the repository's root above it.
fn kit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn root_dir() -> PathBuf {
    kit_dir()
        .parent()
        .expect("the kit sits in the workspace")
        .to_owned()
}

/// The READMEs a user reads for the program, with their names for messages.
fn readmes() -> Vec<(String, String)> {
    [root_dir().join("README.md"), kit_dir().join("README.md")]
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.display().to_string(), text)
        })
        .collect()
}

/// The lines of the README's shell blocks, without trailing `# comments`.
fn shell_lines(readme: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_shell = false;
    for line in readme.lines() {
        let fence = line.trim_start();
        if let Some(info) = fence.strip_prefix("```") {
            in_shell = !in_shell && matches!(info.trim(), "sh" | "bash" | "shell");
            continue;
        }
        if in_shell {
            let command = line.split(" #").next().unwrap_or_default().trim();
            if !command.is_empty() && !command.starts_with('#') {
                lines.push(command.to_owned());
            }
        }
    }
    lines
}

/// The workspace's `repository`: where `cargo install --git` must point.
fn repository() -> String {
    Figment::from(Toml::file(root_dir().join("Cargo.toml")))
        .extract_inner("workspace.package.repository")
        .expect("the workspace names its repository")
}

/// The flags `cargo install` takes that the READMEs may use, each with
/// whether it takes a value.
const CARGO_INSTALL_FLAGS: [(&str, bool); 5] = [
    ("--locked", false),
    ("--git", true),
    ("--path", true),
    ("--bin", true),
    ("--force", false),
];

#[derive(Default, Debug)]
struct Install {
    git: Option<String>,
    path: Option<String>,
    bin: Option<String>,
    packages: Vec<String>,
}

fn parse_install(line: &str) -> Install {
    let mut words = line
        .strip_prefix("cargo install ")
        .unwrap_or_else(|| panic!("not a cargo install line: {line}"))
        .split_whitespace();
    let mut install = Install::default();
    while let Some(word) = words.next() {
        if !word.starts_with('-') {
            install.packages.push(word.to_owned());
            continue;
        }
        let (_, takes_value) = CARGO_INSTALL_FLAGS
            .iter()
            .find(|(flag, _)| *flag == word)
            .unwrap_or_else(|| panic!("`{word}` in `{line}` is not a flag this test knows"));
        if !takes_value {
            continue;
        }
        let value = words
            .next()
            .unwrap_or_else(|| panic!("`{word}` without a value in `{line}`"))
            .to_owned();
        match word {
            "--git" => install.git = Some(value),
            "--path" => install.path = Some(value),
            _ => install.bin = Some(value),
        }
    }
    install
}

#[test]
fn the_install_commands_work_from_a_users_own_crate() {
    let repository = repository();
    // A `git clone` of the repository makes a directory of its name, and
    // the README's path form expects that clone beside the user's crate.
    let clone_name = repository.rsplit('/').next().expect("a repository name");
    let package = env!("CARGO_PKG_NAME");
    let (mut by_git, mut by_path) = (0, 0);
    for (readme, text) in readmes() {
        let installs: Vec<_> = shell_lines(&text)
            .into_iter()
            .filter(|line| line.starts_with("cargo install"))
            .collect();
        assert!(!installs.is_empty(), "{readme} shows no cargo install");
        for line in installs {
            let install = parse_install(&line);
            // The program's name is the binary cargo built for this test.
            assert_eq!(
                install.bin.as_deref(),
                Some("maskinporten-stand-in"),
                "{readme}: `{line}` must name the binary (the kit has no other to install)"
            );
            assert!(
                Path::new(env!("CARGO_BIN_EXE_maskinporten-stand-in")).exists(),
                "the package has no maskinporten-stand-in binary"
            );
            match (&install.git, &install.path) {
                (Some(git), None) => {
                    by_git += 1;
                    assert_eq!(
                        git, &repository,
                        "{readme}: `{line}` names another repository"
                    );
                    assert_eq!(
                        install.packages,
                        [package],
                        "{readme}: `{line}` must name the package, since the repository holds several"
                    );
                }
                (None, Some(path)) => {
                    by_path += 1;
                    // Relative to the user's crate beside the clone.
                    let inside = path
                        .strip_prefix(&format!("../{clone_name}/"))
                        .unwrap_or_else(|| {
                            panic!("{readme}: `{line}` must reach into ../{clone_name}/")
                        });
                    let target = root_dir().join(inside).canonicalize();
                    assert_eq!(
                        target.ok(),
                        kit_dir().canonicalize().ok(),
                        "{readme}: `{line}` does not lead to the kit's directory"
                    );
                    assert!(install.packages.is_empty(), "{readme}: `{line}`");
                }
                _ => panic!(
                    "{readme}: `{line}` installs from crates.io, where the kit is not \
                     published; use --git or --path"
                ),
            }
        }
    }
    assert!(by_git >= 2 && by_path >= 2, "each README shows both forms");
}

#[test]
fn no_readme_runs_the_kit_by_package_name_from_a_users_crate() {
    for (readme, text) in readmes() {
        for line in shell_lines(&text) {
            assert!(
                !line.contains(&format!("-p {}", env!("CARGO_PKG_NAME"))),
                "{readme}: `{line}` works only inside this repository's workspace"
            );
        }
    }
}

#[test]
fn every_shown_command_line_is_one_the_program_accepts() {
    let help = run_to_end(&["--help"]);
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let mut shown = 0;
    for (readme, text) in readmes() {
        for line in shell_lines(&text) {
            let Some(rest) = line.strip_prefix("maskinporten-stand-in") else {
                continue;
            };
            // Up to a redirection or `&`: the shell's, not the program's.
            let args: Vec<&str> = rest
                .split_whitespace()
                .take_while(|word| !word.starts_with(['>', '&', '|']))
                .collect();
            for flag in args.iter().filter(|word| word.starts_with("--")) {
                let name = flag.split('=').next().unwrap_or(flag);
                assert!(help.contains(name), "{readme}: {name} is not in --help");
            }
            // Run as shown, on a free port so tests beside it cannot clash,
            // in a directory of its own for any file it names.
            let port = free_port().to_string();
            let args: Vec<&str> = args
                .iter()
                .enumerate()
                .map(|(i, word)| {
                    if i > 0 && args[i - 1] == "--port" {
                        port.as_str()
                    } else {
                        word
                    }
                })
                .collect();
            let scopes = args.iter().filter(|word| **word == "--scope").count();
            let dir = scratch(&format!("readme-{shown}"));
            let (_running, printed) = start_in(&dir, &args, scopes);
            assert_eq!(printed.tokens.len(), scopes, "{readme}: `{line}`");
            shown += 1;
        }
    }
    assert!(shown >= 2, "the READMEs show how to start the program");
}

#[test]
fn every_flag_of_the_program_is_in_the_readme() {
    let help = run_to_end(&["--help"]);
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let root = std::fs::read_to_string(root_dir().join("README.md")).expect("README");
    let section = root
        .split("## Local development with the stand-in")
        .nth(1)
        .expect("the README's stand-in section");
    for flag in help
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--"))
        .filter_map(|rest| rest.split_whitespace().next())
    {
        assert!(
            section.contains(&format!("`--{flag}")),
            "--{flag} is in --help but not in the README's stand-in section"
        );
    }
}
