//! The IVR of the 1022 hotline: VoiceXML 2.1 documents checked structurally with a real XML
//! parser, the full keypad flow (menu → digits → status), wrong check digits re-prompted and
//! transferred after three failures, unknown numbers, keypad noise, the JSON flavour of the same
//! flow, the per-caller rate limit, the call log and the synthesized audio.

use std::collections::{HashMap, HashSet};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// The IVR platform's address in these tests: the test client's own, so `caller=` is believed.
const PLATFORM: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
use tracuu::domain::speech::status_sentence;
use tracuu::domain::{LookupNumber, Status};

const VXML_NS: &str = "http://www.w3.org/2001/vxml";

/// What a test needs from a checked VoiceXML document.
#[derive(Debug, Default)]
struct Vxml {
    /// Menu choices: key → next URL, per menu in document order.
    choices: Vec<HashMap<String, String>>,
    /// `<submit next>` targets.
    submits: Vec<String>,
    /// `<transfer dest>` targets.
    transfers: Vec<String>,
    /// Every `<prompt>`'s text, concatenated.
    text: String,
    /// `<audio src>` URLs.
    audio: Vec<String>,
    /// Whether some field has a DTMF grammar accepting digits.
    digit_grammar: bool,
    /// `<prompt>`s with words spoken outside an `<audio>` (text-to-speech by the platform).
    prompts_without_audio: Vec<String>,
}

/// Parses `xml` and checks what VoiceXML 2.1 requires of the elements tracuu uses: the root is
/// `<vxml version="2.1">` in the VoiceXML namespace; it has a form or a menu; every element is a
/// VoiceXML 2.1 (or inline SRGS grammar) element in a parent that may hold it; every menu has
/// choices with a `dtmf` key and a `next`; every field has a DTMF grammar; every transfer has a
/// `dest`; every submit a `next`; every local `#id` target exists.
fn check_vxml(xml: &str) -> Vxml {
    let doc =
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well formed: {e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "vxml", "{xml}");
    assert_eq!(root.tag_name().namespace(), Some(VXML_NS), "{xml}");
    assert_eq!(root.attribute("version"), Some("2.1"), "{xml}");
    let allowed_parents: HashMap<&str, &[&str]> = HashMap::from([
        ("form", &["vxml"][..]),
        ("menu", &["vxml"][..]),
        ("property", &["vxml", "form", "field", "menu"][..]),
        ("choice", &["menu"][..]),
        ("field", &["form"][..]),
        ("block", &["form"][..]),
        ("transfer", &["form"][..]),
        ("grammar", &["field", "form", "menu", "vxml"][..]),
        ("rule", &["grammar"][..]),
        ("item", &["rule", "item", "one-of"][..]),
        ("one-of", &["rule", "item"][..]),
        (
            "prompt",
            &[
                "block", "field", "menu", "filled", "noinput", "nomatch", "catch", "if",
            ][..],
        ),
        ("audio", &["prompt"][..]),
        ("filled", &["field", "form", "transfer"][..]),
        ("noinput", &["field", "menu", "form", "transfer"][..]),
        ("nomatch", &["field", "menu", "form"][..]),
        ("catch", &["field", "menu", "form", "vxml", "transfer"][..]),
        (
            "if",
            &["block", "filled", "noinput", "nomatch", "catch"][..],
        ),
        (
            "goto",
            &["block", "filled", "noinput", "nomatch", "catch", "if"][..],
        ),
        (
            "submit",
            &["block", "filled", "noinput", "nomatch", "catch", "if"][..],
        ),
        (
            "reprompt",
            &["filled", "noinput", "nomatch", "catch", "if"][..],
        ),
        (
            "disconnect",
            &["block", "filled", "noinput", "nomatch", "catch", "if"][..],
        ),
    ]);
    let mut ids = HashSet::new();
    let mut local_targets = Vec::new();
    let mut out = Vxml::default();
    let mut dialogs = 0;
    for node in root.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert_eq!(
            node.tag_name().namespace(),
            Some(VXML_NS),
            "{name} outside the namespace"
        );
        if node == root {
            continue;
        }
        let parent = node
            .parent_element()
            .map(|p| p.tag_name().name())
            .unwrap_or_default();
        let parents = allowed_parents
            .get(name)
            .unwrap_or_else(|| panic!("<{name}> is not a VoiceXML 2.1 element tracuu uses"));
        assert!(
            parents.contains(&parent),
            "<{name}> may not be inside <{parent}>\n{xml}"
        );
        if let Some(id) = node.attribute("id") {
            ids.insert(id.to_owned());
        }
        match name {
            "form" | "menu" => dialogs += 1,
            "choice" => {
                let dtmf = node.attribute("dtmf").expect("choice has dtmf");
                assert!(dtmf.len() == 1 && dtmf.chars().all(|c| c.is_ascii_digit()));
                assert!(node.attribute("next").is_some(), "choice has next");
            }
            "field" => {
                let grammar = node
                    .children()
                    .find(|c| c.has_tag_name((VXML_NS, "grammar")))
                    .expect("a field has a grammar");
                assert_eq!(grammar.attribute("mode"), Some("dtmf"));
                let root_rule = grammar.attribute("root").expect("grammar root");
                let rule = grammar
                    .children()
                    .find(|c| c.attribute("id") == Some(root_rule))
                    .expect("the root rule exists");
                let keys: HashSet<String> = rule
                    .descendants()
                    .filter(|d| {
                        d.has_tag_name((VXML_NS, "item")) && d.attribute("repeat").is_none()
                    })
                    .filter_map(|d| d.text().map(str::to_owned))
                    .collect();
                out.digit_grammar = (0..10).all(|d| keys.contains(&d.to_string()));
            }
            "transfer" => {
                let dest = node.attribute("dest").expect("transfer has dest");
                assert!(
                    dest.starts_with("tel:") || dest.starts_with("sip:"),
                    "{dest}"
                );
                out.transfers.push(dest.to_owned());
            }
            "submit" => out
                .submits
                .push(node.attribute("next").expect("submit has next").to_owned()),
            "audio" => out
                .audio
                .push(node.attribute("src").expect("audio has src").to_owned()),
            "prompt" => {
                let text: String = node
                    .descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect();
                out.text.push_str(&text);
                out.text.push(' ');
                let bare: String = node
                    .descendants()
                    .filter(|d| d.is_text())
                    .filter(|d| !d.ancestors().any(|a| a.has_tag_name((VXML_NS, "audio"))))
                    .filter_map(|d| d.text())
                    .collect();
                if !bare.trim().is_empty() {
                    out.prompts_without_audio.push(bare.trim().to_owned());
                }
            }
            _ => {}
        }
        for attr in ["next"] {
            if let Some(target) = node.attribute(attr).and_then(|t| t.strip_prefix('#')) {
                local_targets.push(target.to_owned());
            }
        }
    }
    assert!(dialogs > 0, "a document has a form or a menu");
    for target in local_targets {
        assert!(ids.contains(&target), "#{target} does not exist");
    }
    for menu in root
        .descendants()
        .filter(|n| n.has_tag_name((VXML_NS, "menu")))
    {
        let choices: HashMap<String, String> = menu
            .children()
            .filter(|c| c.has_tag_name((VXML_NS, "choice")))
            .map(|c| {
                (
                    c.attribute("dtmf").unwrap_or_default().to_owned(),
                    c.attribute("next").unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert!(!choices.is_empty(), "a menu has choices");
        out.choices.push(choices);
    }
    out
}

async fn fetch_vxml(app: &TestApp, path: &str, digits: Option<&str>) -> Vxml {
    let request = match digits {
        Some(d) => app
            .http
            .post(format!("{}{path}", app.address))
            .form(&[("digits", d)]),
        None => app.http.get(format!("{}{path}", app.address)),
    };
    let response = request.send().await.expect("request");
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/voicexml+xml"),
        "{content_type}"
    );
    check_vxml(&response.text().await.expect("body"))
}

fn number(n: i64) -> String {
    format!("{n:010}")
}

/// A number with a valid check digit that no dossier has.
async fn unknown_number(app: &TestApp) -> String {
    let client = app.db.client().await;
    for seq in 900_000_000u64.. {
        let candidate = LookupNumber::from_sequence(seq);
        let value = i64::try_from(candidate.value()).expect("fits");
        let taken: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM dossiers WHERE lookup_number = $1)",
                &[&value],
            )
            .await
            .expect("query")
            .get(0);
        if !taken {
            return candidate.to_string();
        }
    }
    unreachable!()
}

fn mistyped(n: &str) -> String {
    let mut d: Vec<u8> = n.bytes().collect();
    d[2] = if d[2] == b'9' { b'0' } else { d[2] + 1 };
    String::from_utf8(d).expect("digits")
}

#[tokio::test]
async fn a_caller_goes_from_the_menu_through_the_digits_to_the_spoken_status() {
    // Arrange
    let app = spawn_app_with(|s| s.hotline.platform_addresses = vec![PLATFORM]).await;
    let known = app.known(4).await;

    // Act: the main menu
    let menu = fetch_vxml(&app, "/ivr/vxml/menu?caller=0912345678", None).await;

    // Assert: 1 status, 2 operator, 3 hours and addresses; the caller id travels along
    let choices = &menu.choices[0];
    assert!(
        choices["1"].starts_with("/ivr/vxml/lookup?attempt=1&caller="),
        "{choices:?}"
    );
    assert!(choices["2"].starts_with("/ivr/vxml/transfer"));
    assert!(choices["3"].starts_with("/ivr/vxml/info"));
    assert!(menu.text.contains("bấm phím một"), "{}", menu.text);

    // Act: choose 1, then key the number with keypad noise (* inside, # at the end)
    let ask = fetch_vxml(&app, &choices["1"], None).await;
    assert!(ask.digit_grammar, "the field takes DTMF digits");
    assert_eq!(ask.submits.len(), 2, "filled and nomatch both submit");
    let digits = number(known.lookup_number);
    let noisy = format!("*{}*{}#", &digits[..5], &digits[5..]);
    let result = fetch_vxml(&app, &ask.submits[0], Some(&noisy)).await;

    // Assert: the status in Vietnamese, the appointment date as a date, then the next choices
    assert!(
        result.text.contains("Hồ sơ đang được xử lý."),
        "{}",
        result.text
    );
    assert!(
        result.text.contains("Ngày hẹn trả kết quả: thứ"),
        "{}",
        result.text
    );
    assert!(
        !result.text.chars().any(|c| c.is_ascii_digit()),
        "{}",
        result.text
    );
    assert!(
        !result.text.contains(&known.name),
        "no applicant name is read out"
    );
    let after = &result.choices[0];
    assert!(after["1"].contains("/ivr/vxml/lookup"));
    assert!(after["2"].contains("/ivr/vxml/transfer"));
    assert!(after["0"].contains("/ivr/vxml/menu"));

    // The call log counts it as answered by the IVR
    let client = app.db.client().await;
    let logged: i64 = client
        .query_one(
            "SELECT count(*) FROM hotline_calls WHERE source = 'ivr' AND outcome = 'answered_by_ivr' AND caller_phone = '+84912345678'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn a_wrong_check_digit_is_re_prompted_and_the_third_failure_goes_to_an_operator() {
    let app =
        spawn_app_with(|s| s.hotline.transfer_target = "sip:tongdai@pbx.example".into()).await;
    let known = app.known(2).await;
    let wrong = mistyped(&number(known.lookup_number));

    let first = fetch_vxml(&app, "/ivr/vxml/lookup?attempt=1", None).await;
    let second = fetch_vxml(&app, &first.submits[0], Some(&wrong)).await;
    assert!(second.text.contains("chưa đúng"), "{}", second.text);
    assert!(
        second.submits[0].contains("attempt=2"),
        "{:?}",
        second.submits
    );
    assert!(second.transfers.is_empty());

    let third = fetch_vxml(&app, &second.submits[0], Some(&wrong)).await;
    assert!(third.submits[0].contains("attempt=3"));

    let transfer = fetch_vxml(&app, &third.submits[0], Some(&wrong)).await;
    assert_eq!(
        transfer.transfers,
        vec!["sip:tongdai@pbx.example".to_owned()]
    );
    assert!(transfer.text.contains("ba lần"), "{}", transfer.text);
    assert!(
        transfer.text.contains("điện thoại viên"),
        "{}",
        transfer.text
    );
}

#[tokio::test]
async fn an_unknown_or_short_number_is_explained_and_asked_again() {
    let app = spawn_app().await;
    let unknown = unknown_number(&app).await;

    let retry = fetch_vxml(&app, "/ivr/vxml/status?attempt=1", Some(&unknown)).await;
    assert!(
        retry.text.contains("Không tìm thấy hồ sơ"),
        "{}",
        retry.text
    );
    assert!(retry.submits[0].contains("attempt=2"));

    let short = fetch_vxml(&app, "/ivr/vxml/status?attempt=1", Some("12#")).await;
    assert!(short.text.contains("mười chữ số"), "{}", short.text);

    let only_noise = fetch_vxml(&app, "/ivr/vxml/status?attempt=1", Some("*#*")).await;
    assert!(
        only_noise.text.contains("mười chữ số"),
        "{}",
        only_noise.text
    );
}

#[tokio::test]
async fn menu_two_transfers_and_menu_three_reads_hours_and_addresses() {
    let app = spawn_app().await;
    let transfer = fetch_vxml(&app, "/ivr/vxml/transfer", None).await;
    assert_eq!(transfer.transfers, vec!["tel:+842551022".to_owned()]);

    let info = fetch_vxml(&app, "/ivr/vxml/info", None).await;
    assert!(
        info.text.contains("bảy giờ đến mười một giờ ba mươi phút"),
        "{}",
        info.text
    );
    assert!(info.text.contains("Địa chỉ"), "{}", info.text);
    assert!(
        info.choices[0].contains_key("1"),
        "back to the menu choices"
    );
}

#[tokio::test]
async fn every_status_is_spoken_through_the_ivr() {
    let app = spawn_app().await;
    for status in Status::ALL {
        let known = app.known_where("status = $1", &[&status.code()]).await;
        let result = fetch_vxml(
            &app,
            "/ivr/vxml/status?attempt=1",
            Some(&number(known.lookup_number)),
        )
        .await;
        assert!(
            result.text.contains(status_sentence(status)),
            "{status:?}: {}",
            result.text
        );
    }
}

#[tokio::test]
async fn the_json_flow_matches_the_voicexml_one() {
    let app = spawn_app().await;
    let known = app.known(9).await;

    let (status, menu) = app.get_json("/ivr/api/menu?caller=%2B84912345678").await;
    assert_eq!(status, 200);
    assert_eq!(menu["step"], "menu");
    assert_eq!(menu["choices"][0]["digit"], "1");
    let lookup = menu["choices"][0]["next"]
        .as_str()
        .expect("next")
        .to_owned();

    let (_, ask) = app.get_json(&lookup).await;
    assert_eq!(ask["step"], "ask_number");
    assert_eq!(ask["attempt"], 1);
    assert_eq!(ask["input"]["min_digits"], 10);
    let submit = ask["submit"].as_str().expect("submit").to_owned();

    let (status, result) = app
        .get_json(&format!(
            "{submit}&digits=%23{}%2A",
            number(known.lookup_number)
        ))
        .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["step"], "result");
    assert_eq!(result["status"]["code"], 9);
    let spoken = result["result"]["text"].as_str().expect("text");
    assert!(spoken.contains("giải quyết xong"), "{spoken}");
    assert!(
        spoken.contains("giấy tờ tùy thân"),
        "what to bring: {spoken}"
    );

    let wrong = mistyped(&number(known.lookup_number));
    let (_, retry) = app.get_json(&format!("{submit}&digits={wrong}")).await;
    assert_eq!(retry["step"], "ask_number");
    assert_eq!(retry["attempt"], 2);
    let (_, last) = app
        .get_json(&format!("/ivr/api/status?attempt=3&digits={wrong}"))
        .await;
    assert_eq!(last["step"], "transfer");
    assert_eq!(last["transfer_to"], "tel:+842551022");

    let (status, bad) = app.get_json("/ivr/api/status?attempt=99&digits=1").await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(bad["step"], "menu");
}

#[tokio::test]
async fn each_caller_is_rate_limited_on_their_own() {
    let app = spawn_app_with(|s| {
        s.hotline.platform_addresses = vec![PLATFORM];
        s.hotline.ivr_requests_per_minute = 1;
        s.hotline.ivr_burst = 2;
    })
    .await;
    for _ in 0..2 {
        let ok = fetch_vxml(&app, "/ivr/vxml/menu?caller=0912000111", None).await;
        assert!(!ok.choices.is_empty());
    }
    let blocked = fetch_vxml(&app, "/ivr/vxml/menu?caller=0912000111", None).await;
    assert!(blocked.text.contains("quá nhiều lần"), "{}", blocked.text);
    assert!(blocked.choices.is_empty(), "the call ends");

    let (status, json) = app.get_json("/ivr/api/menu?caller=0912000111").await;
    assert_eq!(status, 429);
    assert_eq!(json["step"], "goodbye");

    let other = fetch_vxml(&app, "/ivr/vxml/menu?caller=0912000222", None).await;
    assert!(!other.choices.is_empty(), "another caller is not blocked");
}

#[tokio::test]
async fn withheld_caller_ids_are_welcomed_and_counted_under_the_platforms_address() {
    let app = spawn_app_with(|s| {
        s.hotline.platform_addresses = vec![PLATFORM];
        s.hotline.ivr_requests_per_minute = 1;
        s.hotline.ivr_burst = 6;
    })
    .await;
    let withheld = [
        "anonymous",
        "unknown",
        "Restricted",
        "sip:anonymous@anonymous.invalid",
        "Private",
        "",
    ];
    for id in withheld {
        let query = serde_urlencoded::to_string([("caller", id)]).expect("query");
        let menu = fetch_vxml(&app, &format!("/ivr/vxml/menu?{query}"), None).await;
        assert!(
            menu.text.contains("tình trạng hồ sơ") && !menu.text.contains("không hợp lệ"),
            "{id:?} is welcomed: {}",
            menu.text
        );
        assert_eq!(menu.choices[0].len(), 3, "{id:?}: the menu's three choices");
        assert!(
            menu.choices[0]
                .values()
                .all(|next| !next.contains("caller=")),
            "{id:?}: a withheld id is not carried: {:?}",
            menu.choices
        );
    }
    // Six withheld calls spent the platform address's burst: a seventh withheld id waits, a
    // caller with a number does not.
    let blocked = fetch_vxml(&app, "/ivr/vxml/menu?caller=anonymous", None).await;
    assert!(blocked.text.contains("quá nhiều lần"), "{}", blocked.text);
    let other = fetch_vxml(&app, "/ivr/vxml/menu?caller=0912000333", None).await;
    assert!(
        !other.choices.is_empty(),
        "a caller with a number is not blocked"
    );

    let long = format!("sip:{}@gw", "9".repeat(120));
    let (status, refused) = app.get_json(&format!("/ivr/api/menu?caller={long}")).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        !refused.to_string().contains("(caller)"),
        "no internal field name: {refused}"
    );
}

#[tokio::test]
async fn prompts_come_as_cached_8_khz_audio_when_espeak_ng_is_installed() {
    if !tracuu::hotline::audio::espeak_available() {
        eprintln!("SKIPPED: espeak-ng is not installed (scripts/test.sh installs it)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("tracuu-ivr-audio-{}", uuid::Uuid::new_v4()));
    let cache = dir.clone();
    let app = spawn_app_with(move |s| {
        s.hotline.audio_enabled = true;
        s.hotline.audio_cache_dir = cache;
    })
    .await;

    let menu = fetch_vxml(&app, "/ivr/vxml/menu", None).await;
    assert!(!menu.audio.is_empty(), "prompts carry audio");
    // Every prompt of every step, re-prompts on no input and no match included, is audio.
    let known = number(app.known(4).await.lookup_number);
    let documents = [
        ("/ivr/vxml/menu", None),
        ("/ivr/vxml/lookup?attempt=1", None),
        ("/ivr/vxml/status?attempt=1", Some(known.as_str())),
        ("/ivr/vxml/status?attempt=1", Some("12345")),
        ("/ivr/vxml/info", None),
        ("/ivr/vxml/transfer", None),
    ];
    for (path, digits) in documents {
        let document = fetch_vxml(&app, path, digits).await;
        assert!(
            document.prompts_without_audio.is_empty(),
            "{path}: spoken without audio: {:?}",
            document.prompts_without_audio
        );
        assert!(!document.audio.is_empty(), "{path}");
    }
    let response = app.get(&menu.audio[0]).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("audio/wav")
    );
    let wav = response.bytes().await.expect("wav");
    let (rate, samples) = tracuu::hotline::audio::read_wav(&wav).expect("a WAV file");
    assert_eq!(rate, 8000);
    assert_eq!(u16::from_le_bytes([wav[22], wav[23]]), 1, "mono");
    assert_eq!(u16::from_le_bytes([wav[34], wav[35]]), 16, "16-bit");
    assert!(samples.len() > 8000, "more than a second of speech");
    assert!(
        samples.iter().any(|s| s.unsigned_abs() > 1000),
        "not silence"
    );
    let cached = std::fs::read_dir(&dir).expect("cache dir").count();
    assert_eq!(cached, 1, "cached on disk");

    let unknown = app
        .get("/ivr/audio/0123456789abcdef0123456789abcdef.wav")
        .await;
    assert_eq!(
        unknown.status().as_u16(),
        404,
        "only texts tracuu said can be fetched"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_checker_refuses_what_voicexml_2_1_does_not_allow() {
    let good = r##"<?xml version="1.0"?><vxml version="2.1" xmlns="http://www.w3.org/2001/vxml"><menu><choice dtmf="1" next="/a"/></menu></vxml>"##;
    check_vxml(good);
    let bad = [
        // wrong version
        r##"<vxml version="2.0" xmlns="http://www.w3.org/2001/vxml"><menu><choice dtmf="1" next="/a"/></menu></vxml>"##,
        // no namespace
        r##"<vxml version="2.1"><menu><choice dtmf="1" next="/a"/></menu></vxml>"##,
        // not well formed
        r##"<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml"><menu><choice dtmf="1" next="/a&b"/></menu></vxml>"##,
        // transfer without dest
        r##"<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml"><form><transfer name="t"/></form></vxml>"##,
        // field without a grammar
        r##"<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml"><form><field name="d"/></form></vxml>"##,
        // choice outside a menu
        r##"<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml"><form><choice dtmf="1" next="/a"/></form></vxml>"##,
        // a local target that does not exist
        r##"<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml"><form><block><goto next="#nowhere"/></block></form></vxml>"##,
        // no dialog at all
        r##"<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml"></vxml>"##,
    ];
    for doc in bad {
        assert!(
            std::panic::catch_unwind(|| check_vxml(doc)).is_err(),
            "accepted: {doc}"
        );
    }
}
