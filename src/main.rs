use clap::Parser;

fn main() -> std::process::ExitCode {
    iolab::cli::main_with(iolab::cli::Cli::parse())
}
