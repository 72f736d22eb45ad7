//! `ballast lsp --listen 127.0.0.1:PORT` serves one client over TCP on a loopback address
//! and rejects other addresses.

mod lsp_support;

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

use lsp_support::read_message;
use serde_json::json;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write(stream: &mut TcpStream, message: serde_json::Value) {
    let body = serde_json::to_vec(&message).unwrap();
    stream
        .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .unwrap();
    stream.write_all(&body).unwrap();
}

#[test]
fn listen_serves_one_client_on_loopback() {
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_ballast"))
        .args(["lsp", "--listen", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // The server binds after it starts; retry the connection until it accepts, pausing
    // briefly between tries. The loop ends when the server accepts or exits.
    let mut stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => break stream,
            Err(_) => {
                assert!(
                    server.try_wait().unwrap().is_none(),
                    "the server exited before accepting"
                );
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    };
    write(
        &mut stream,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let response = read_message(&mut reader).expect("a response to initialize");
    assert_eq!(response["result"]["serverInfo"]["name"], "ballast");
    write(
        &mut stream,
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    assert_eq!(read_message(&mut reader).unwrap()["id"], 2);
    write(&mut stream, json!({"jsonrpc": "2.0", "method": "exit"}));
    assert!(server.wait().unwrap().success());
}

#[test]
fn listen_rejects_addresses_outside_loopback() {
    let output = Command::new(env!("CARGO_BIN_EXE_ballast"))
        .args(["lsp", "--listen", "0.0.0.0:9"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("loopback"), "{stderr}");
}
