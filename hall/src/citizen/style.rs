//! The progress page's one style sheet: mobile first (360 px), large type, the dashboard's
//! colours; served inline, and the Content-Security-Policy names its hash.

/// The page's only style sheet (inline; the Content-Security-Policy allows exactly its hash).
pub const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;background:#f5f6f4;color:#1f2a2e;font-size:18px;line-height:1.55;-webkit-text-size-adjust:100%;text-size-adjust:100%}
header{background:#23454f;color:#fff;padding:14px 16px;display:flex;align-items:center;justify-content:space-between;gap:12px}
header h1{margin:0;font-size:21px;font-weight:600}
header a{color:#fff;font-size:16px;border:1px solid #c7d6da;border-radius:8px;padding:6px 12px;text-decoration:none;white-space:nowrap}
main{padding:12px;max-width:640px;margin:0 auto}
.card{background:#fff;border-radius:10px;padding:16px;margin:0 0 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{margin:0 0 10px;font-size:19px}
.item{font-size:22px;font-weight:700;margin:0 0 12px;overflow-wrap:anywhere}
dl{margin:0}
dt{color:#4f5d61;font-size:15px}
dd{margin:0 0 8px;overflow-wrap:anywhere}
.code{font-family:"Noto Sans Mono","DejaVu Sans Mono",monospace;font-size:17px}
.pill{display:inline-block;border-radius:999px;padding:3px 12px;font-size:16px;font-weight:700}
.ok{background:#e3f1e6;color:#1d6b34}
.warn{background:#fdf1d8;color:#7a4f00}
.bad{background:#fbe3e1;color:#a3261b}
.now{background:#e2edf0;color:#23454f}
.lead{margin:10px 0 0;font-size:18px}
.jump{display:block;margin-top:12px;padding:12px 14px;border-radius:10px;background:#23454f;color:#fff;font-weight:700;text-align:center;text-decoration:none}
ol.steps{list-style:none;margin:0;padding:0}
ol.steps li{position:relative;padding:0 0 16px 40px;min-height:44px}
ol.steps li:before{content:"";position:absolute;left:4px;top:3px;width:22px;height:22px;border-radius:50%;border:3px solid #aab6b8;background:#fff}
ol.steps li:after{content:"";position:absolute;left:14px;top:29px;bottom:0;width:3px;background:#d5dcdd}
ol.steps li:last-child:after{display:none}
ol.steps li.done:before{background:#1d6b34;border-color:#1d6b34}
ol.steps li.current:before{background:#23454f;border-color:#23454f;box-shadow:0 0 0 4px #cfe0e4}
ol.steps li.fix:before{background:#b57600;border-color:#b57600}
ol.steps li.stop:before{background:#a3261b;border-color:#a3261b}
.step{font-weight:700;font-size:19px}
li.todo .step{color:#4f5d61;font-weight:500}
.when{display:block;font-size:15px;color:#4f5d61}
.alert{border-left:6px solid #b57600;background:#fffaf0}
.alert.stop{border-left-color:#a3261b;background:#fff6f5}
.alert p{margin:6px 0 0}
.history{list-style:none;margin:0;padding:0}
.history li{padding:8px 0;border-top:1px solid #e8ebe8}
.history li:first-child{border-top:0;padding-top:0}
.history .note{display:block;overflow-wrap:anywhere}
fieldset{border:0;margin:0 0 14px;padding:0;min-width:0}
legend{font-weight:700;font-size:18px;margin:0 0 8px;padding:0}
.choice{display:flex;align-items:center;gap:12px;min-height:52px;padding:10px 14px;margin:0 0 8px;border:2px solid #c3ccce;border-radius:10px;font-size:18px;background:#fff}
.choice input{width:24px;height:24px;margin:0;flex:none;accent-color:#23454f}
.choice:has(input:checked){border-color:#23454f;background:#eef4f5}
form:has(input[name=level][value="3"]:checked) .reasons,form:has(input[name=level][value="4"]:checked) .reasons,form:has(input[name=level][value="5"]:checked) .reasons{display:none}
label.text{display:block;font-weight:700;margin:0 0 6px}
textarea{display:block;width:100%;min-height:104px;font:inherit;font-size:17px;padding:10px;border:2px solid #c3ccce;border-radius:10px;color:#1f2a2e}
button{display:block;width:100%;min-height:54px;margin-top:14px;font:inherit;font-size:19px;font-weight:700;color:#fff;background:#23454f;border:0;border-radius:10px}
.errors{margin:0 0 12px;padding:10px 14px;border-radius:8px;background:#fbe3e1;color:#a3261b;font-weight:700}
.errors p{margin:0}
.sub{color:#4f5d61;font-size:15px}
:focus-visible{outline:3px solid #b35900;outline-offset:2px}
header a:focus-visible{outline-color:#ffd166}
footer{padding:0 16px 28px;font-size:14px;color:#4f5d61;max-width:640px;margin:0 auto}
"#;
