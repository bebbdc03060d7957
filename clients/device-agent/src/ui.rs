//! Progress display (indicatif) and log lines that print above the bars, or to stderr when
//! the output is not a terminal.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone)]
pub struct Ui {
	multi: MultiProgress,
}

impl Ui {
	pub fn new(quiet: bool) -> Ui {
		let target =
			if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
		Ui { multi: MultiProgress::with_draw_target(target) }
	}

	/// A bar of `len` steps called `name`.
	pub fn bar(&self, name: &str, len: u64) -> ProgressBar {
		let pb = self.multi.add(ProgressBar::new(len));
		pb.set_style(
			ProgressStyle::with_template("{prefix:>15.bold} [{bar:24}] {pos}/{len} {msg}")
				.unwrap()
				.progress_chars("=> "),
		);
		pb.set_prefix(name.to_string());
		pb
	}

	/// A spinner called `name`.
	pub fn spinner(&self, name: &str) -> ProgressBar {
		let pb = self.multi.add(ProgressBar::new_spinner());
		pb.set_style(ProgressStyle::with_template("{prefix:>15.bold} {spinner} {msg}").unwrap());
		pb.set_prefix(name.to_string());
		pb.enable_steady_tick(std::time::Duration::from_millis(200));
		pb
	}

	/// A log line, with the time.
	pub fn log(&self, line: String) {
		let line = format!("[{}] {line}", chrono_now());
		if self.multi.is_hidden() {
			eprintln!("{line}");
		} else {
			let _ = self.multi.println(line);
		}
	}
}

/// Wall-clock time of day (UTC), HH:MM:SS.
fn chrono_now() -> String {
	let secs = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_secs())
		.unwrap_or(0);
	format!("{:02}:{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}
