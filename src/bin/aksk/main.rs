//! `aksk`: Huawei Cloud AK/SK signing and the MPC delete-packaging-task call from the shell.

fn main() {}
