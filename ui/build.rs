//! Compiles the `.slint` files with element debug info (the testing API needs it) and bundles
//! the translations in `lang/<lang>/LC_MESSAGES/kiosk-ui.po` into the binary.
fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent-light".into())
        .with_bundled_translations("lang")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        .with_debug_info(true);
    if let Err(e) = slint_build::compile_with_config("ui/app.slint", config) {
        println!("cargo:warning=slint compile failed: {e}");
        std::process::exit(1);
    }
}
