//! Every test vector of `test-vectors/` is a named test: the vector is signed and each
//! stage (canonical request, string to sign, signed headers, signature, Authorization, URL,
//! headers) is compared in order, so a failure names the first stage that differs.

use std::collections::BTreeSet;

use huaweicloud_aksk::vectors::{self, Vector};

fn load(file: &str) -> Vec<Vector> {
    let path = format!("{}/test-vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    vectors::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn check(file: &str, name: &str) {
    let all = load(file);
    let vector = all
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no vector {name} in {file}"));
    if let Err(mismatch) = vector.check() {
        panic!("vector {name} ({}): {mismatch}", vector.source);
    }
}

/// Fails when a vector of `file` has no test of its own, or a test names no vector.
fn assert_each_vector_tested(file: &str, names: &[&str]) {
    let in_file: BTreeSet<String> = load(file).into_iter().map(|v| v.name).collect();
    let tested: BTreeSet<String> = names.iter().map(|s| s.to_string()).collect();
    assert_eq!(in_file, tested, "add or remove tests to match {file}");
}

macro_rules! vectors {
    ($file:literal, $list:ident: $($name:ident),* $(,)?) => {
        const $list: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                check($file, stringify!($name));
            }
        )*
    };
}
mod sdk_hmac_sha256 {
    use super::check;
    vectors!("sdk-hmac-sha256.json", NAMES:
        delete_remux_task_plain,
        delete_remux_task_without_content_type,
        delete_remux_task_official_client_headers,
        delete_remux_task_method_lower_case,
        query_value_space_percent_encoded,
        query_value_plus_percent_encoded,
        query_value_literal_plus_is_not_a_space,
        query_value_encoded_slash,
        query_value_tilde_unreserved,
        query_value_encoded_percent,
        query_value_contains_equals,
        query_value_encoded_ampersand,
        query_value_cjk,
        query_value_emoji,
        query_value_control_characters,
        query_value_reserved_characters,
        query_value_lower_case_hex_normalised,
        query_value_unreserved_characters_kept,
        query_empty_value,
        query_key_without_equals,
        query_empty_pieces_dropped,
        query_key_needs_encoding,
        query_repeated_key_sorted_as_strings,
        query_repeated_key_values_sorted,
        query_upper_case_key_sorts_first,
        query_sort_case_and_symbols,
        query_sort_decoded_e_acute_after_tilde,
        query_sort_astral_after_bmp,
        query_many_params,
        path_trailing_slash,
        path_root,
        path_double_slash_kept,
        path_percent_encoded_segments,
        path_encoded_slash_in_segment,
        path_unicode,
        path_tilde_star_colon_at,
        path_literal_plus,
        path_encoded_space_and_percent,
        header_value_outer_spaces_trimmed,
        header_value_inner_spaces_kept,
        header_value_tabs_trimmed,
        header_value_only_spaces,
        header_names_mixed_case,
        header_content_type_lower_case_json,
        many_headers,
        header_value_utf8_chinese,
        header_name_with_underscore_not_signed,
        header_caller_host_differs_from_url,
        header_caller_host_lower_case,
        port_non_default_8443,
        port_explicit_443_kept,
        http_explicit_port_80_kept,
        http_without_port,
        ipv4_host_with_port,
        ipv6_host_with_port,
        json_body_compact,
        json_body_pretty,
        json_body_unicode,
        patch_json_body,
        unsigned_payload_header_with_body,
        unsigned_payload_header_lower_case_name,
        content_type_text_plain_with_body,
        content_type_octet_stream_with_body,
        content_type_json_with_charset,
        content_type_bson_with_body,
        security_token,
        security_token_with_json_body,
        sk_100_chars,
        sk_64_chars,
        ak_sk_unusual_characters,
        get_with_query,
        head_request,
        post_empty_body,
        ours_unsigned_payload_header_empty_body,
        ours_content_type_text_plain_empty_body,
        ours_header_given_twice,
        ours_content_type_lower_case_text_plain,
        ours_empty_path,
        ours_empty_path_with_query,
    );

    #[test]
    fn every_vector_of_the_file_has_its_own_test() {
        super::assert_each_vector_tested("sdk-hmac-sha256.json", NAMES);
    }
}
mod known_answers {
    use super::check;
    vectors!("known-answers.json", NAMES:
        doc_example_get_vpcs,
        java_sdk_get_vpcs,
        java_sdk_get_caller_host_no_path,
        python_sdk_get_resources,
    );

    #[test]
    fn every_vector_of_the_file_has_its_own_test() {
        super::assert_each_vector_tested("known-answers.json", NAMES);
    }
}

// V11, SM3 and the elliptic-curve algorithms' vectors: the last two need their features.
#[cfg(feature = "ecdsa")]
mod other_algorithms {
    use super::check;

    vectors!("other-algorithms.json", NAMES:
        v11_delete_remux_task_plain,
        v11_post_json_body,
        v11_unsigned_payload_header_with_body,
        v11_content_type_text_plain_with_body,
        v11_query_needs_escapes,
        v11_security_token,
        v11_caller_host,
        v11_sk_100_chars,
        v11_get_no_query,
        v11_ak_100_chars,
        v11_scope_date_before_midnight,
        sm3_delete_remux_task_plain,
        sm3_post_json_body,
        sm3_unsigned_payload_header_with_body,
        sm3_content_type_text_plain_with_body,
        sm3_query_needs_escapes,
        sm3_security_token,
        sm3_caller_host,
        sm3_sk_100_chars,
        sm3_get_no_query,
        sm3_sha256_content_header_is_an_ordinary_header,
        p256_delete_remux_task_plain,
        p256_post_json_body,
        p256_unsigned_payload_header_with_body,
        p256_content_type_text_plain_with_body,
        p256_query_needs_escapes,
        p256_security_token,
        p256_caller_host,
        p256_sk_100_chars,
        p256_get_no_query,
        sm2_delete_remux_task_plain,
        sm2_post_json_body,
        sm2_unsigned_payload_header_with_body,
        sm2_content_type_text_plain_with_body,
        sm2_query_needs_escapes,
        sm2_security_token,
        sm2_caller_host,
        sm2_sk_100_chars,
        sm2_get_no_query,
        sm2_public_x_leading_zero_byte,
        sm2_public_y_leading_zero_byte,
        v11_java_sdk_get_vpcs,
        sm3_java_sdk_get_vpcs,
        v11_java_sdk_post_vpc,
        v11_java_sdk_get_vpcs_caller_host,
        sm3_java_sdk_post_vpc,
    );

    #[test]
    fn every_vector_of_the_file_has_its_own_test() {
        super::assert_each_vector_tested("other-algorithms.json", NAMES);
    }
}

#[test]
fn there_are_at_least_forty_vectors_from_the_official_sdk() {
    let n = load("sdk-hmac-sha256.json")
        .iter()
        .filter(|v| v.source == "python-sdk")
        .count();
    assert!(n >= 40, "only {n} python-sdk vectors");
    let names: BTreeSet<String> = load("known-answers.json")
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names.len(), 4);
}

#[test]
fn a_wrong_expectation_is_reported_with_its_stage() {
    let mut v = load("sdk-hmac-sha256.json").remove(0);
    v.expected[1].1.push('x');
    let mismatch = v.check().unwrap_err();
    assert_eq!(mismatch.stage.as_str(), "string_to_sign");
}
