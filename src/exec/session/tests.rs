//! What a failed login says, in the messages users know.

use super::*;

/// Reports and tests match these texts: the typed errors must say exactly what the strings said.
#[test]
fn session_errors_render_as_the_messages_users_know() {
    let cases = [
        (
            SessionError::AccountNotConfigured {
                account: "admin".into(),
            },
            "account `admin` is not configured (add [accounts.admin] to daodao-check.toml)",
        ),
        (
            SessionError::EnvVarMissing {
                account: "primary".into(),
                var: "DAODAO_PHONE".into(),
            },
            "account `primary` needs the environment variable DAODAO_PHONE",
        ),
        (
            SessionError::LoginWithoutToken {
                account: "primary".into(),
                path: "data.token".into(),
            },
            "login as `primary` answered without a token at `data.token`",
        ),
        (
            SessionError::NoRefreshToken,
            "the login gave no refresh token",
        ),
        (
            SessionError::RefreshWithoutToken {
                path: "data.token".into(),
            },
            "the refresh answered without a token at `data.token`",
        ),
        (
            SessionError::SmsCodeNotInResponse {
                path: "data.code".into(),
            },
            "the send-code response has no code at `data.code` (sms.source = \"response\")",
        ),
        (
            SessionError::SmsCodeEnvMissing {
                var: "DAODAO_SMS".into(),
            },
            "sms.source = \"env\" but DAODAO_SMS is not set",
        ),
        (
            SessionError::AuthContractMissing {
                contract: "auth.login".into(),
            },
            "the login needs contract `auth.login`, which does not exist",
        ),
        (
            SessionError::AuthCallFailed {
                endpoint: "POST /api/v1/auth/login".into(),
                message: "connection refused".into(),
            },
            "POST /api/v1/auth/login failed: connection refused",
        ),
        (
            SessionError::AuthCallNotJson {
                endpoint: "POST /api/v1/auth/login".into(),
                status: 502,
            },
            "POST /api/v1/auth/login answered HTTP 502 without JSON",
        ),
        (
            SessionError::AuthCallRejected {
                endpoint: "POST /api/v1/auth/login".into(),
                code: Some(400),
                message: "密码错误".into(),
            },
            "POST /api/v1/auth/login answered code 400: 密码错误",
        ),
        (
            SessionError::AuthCallRejected {
                endpoint: "POST /api/v1/auth/login".into(),
                code: None,
                message: String::new(),
            },
            "POST /api/v1/auth/login answered without the envelope's code (the endpoint's envelope finding says what it sent)",
        ),
        (
            SessionError::RegisterRefused {
                account: "primary".into(),
            },
            "account `primary` would register a new test user (flow = \"register\"), a write the production environment refuses: use flow = \"password\" or \"code\", or --allow-writes",
        ),
        (
            SessionError::Request(RequestError::MissingPathParam { name: "id".into() }),
            "path parameter `id` has no value",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
    }
}

#[test]
fn the_sms_code_is_read_where_the_configuration_says() {
    let from_response = SmsConfig::Response {
        path: "data.code".into(),
    };
    let resp = json!({"code": 0, "data": {"code": 123456}});
    assert_eq!(sms_code_from(&from_response, &resp), Ok("123456".into()));
    assert_eq!(
        sms_code_from(&from_response, &Value::Null),
        Err(SessionError::SmsCodeNotInResponse {
            path: "data.code".into()
        })
    );
    let fixed = SmsConfig::Fixed {
        value: "000000".into(),
    };
    assert_eq!(sms_code_from(&fixed, &Value::Null), Ok("000000".into()));
}
