//! The figures of `process_*` metrics, read from Linux's `/proc/self` (the same names and meanings
//! as every Prometheus client library's process collector).

/// What `/proc/self/stat` and `/proc/self/status` say.
pub struct Figures {
    pub cpu_seconds: f64,
    pub resident_bytes: i64,
    pub virtual_bytes: i64,
    pub threads: i64,
    pub start_time: i64,
}

/// Clock ticks per second of `/proc`'s times (`USER_HZ`, 100 on Linux on every architecture the
/// package is built for).
const TICKS_PER_SECOND: f64 = 100.0;

/// Reads the process's figures; None when `/proc` cannot be read (not Linux).
pub fn read() -> Option<Figures> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let boot = std::fs::read_to_string("/proc/stat").ok()?;
    parse(&stat, &status, &boot)
}

/// The figures from the texts of `/proc/self/stat`, `/proc/self/status` and `/proc/stat`.
fn parse(stat: &str, status: &str, boot: &str) -> Option<Figures> {
    // The command name is in parentheses and may hold spaces: fields count from after it.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Field numbers of proc(5), minus the two before the name's end (pid, comm): state is 3.
    let field = |n: usize| fields.get(n - 3)?.parse::<i64>().ok();
    let ticks = field(14)? + field(15)?;
    let start_ticks = field(22)?;
    let threads = field(20)?;
    let kilobytes = |key: &str| {
        status.lines().find_map(|line| {
            let rest = line.strip_prefix(key)?.strip_prefix(':')?;
            rest.split_whitespace().next()?.parse::<i64>().ok()
        })
    };
    let boot_time = boot.lines().find_map(|line| {
        line.strip_prefix("btime ")
            .and_then(|v| v.trim().parse::<i64>().ok())
    })?;
    Some(Figures {
        cpu_seconds: ticks as f64 / TICKS_PER_SECOND,
        resident_bytes: kilobytes("VmRSS").unwrap_or(0) * 1024,
        virtual_bytes: kilobytes("VmSize").unwrap_or(0) * 1024,
        threads,
        start_time: boot_time + (start_ticks as f64 / TICKS_PER_SECOND) as i64,
    })
}

/// Open file descriptors.
pub fn open_fds() -> Option<i64> {
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count() as i64)
}

/// The soft limit of open file descriptors.
pub fn max_fds() -> Option<i64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_come_from_the_right_fields_even_with_spaces_in_the_name() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime priority nice num_threads itrealvalue starttime ...
        let stat = "4242 (tracuu serve) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 \
                    7 0 12345 1000000 2000 18446744073709551615";
        let status = "Name:\ttracuu\nVmSize:\t  204800 kB\nVmRSS:\t   51200 kB\nThreads:\t7\n";
        let boot = "cpu  1 2 3\nbtime 1765000000\nprocesses 10\n";
        let figures = parse(stat, status, boot).expect("parsed");
        assert_eq!(figures.cpu_seconds, 3.0);
        assert_eq!(figures.threads, 7);
        assert_eq!(figures.resident_bytes, 51_200 * 1024);
        assert_eq!(figures.virtual_bytes, 204_800 * 1024);
        assert_eq!(figures.start_time, 1_765_000_000 + 123);
    }

    #[test]
    fn this_process_reads_as_itself() {
        let figures = read().expect("Linux /proc");
        assert!(figures.resident_bytes > 0 && figures.threads >= 1);
        assert!(open_fds().is_some_and(|n| n >= 3));
        assert!(max_fds().is_some_and(|n| n >= 64));
    }
}
