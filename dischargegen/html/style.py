"""The page's one style sheet, inline. Sizes follow the content brief (body 14 pt, 18 pt in large print,
line spacing about 1.4, left-aligned, dark on white) and are in rem and em, so the page reflows when a
reader zooms to 200%. Print: the PDF's page breaks, and boxes told apart by borders and weight, never by
a colour that a greyscale printer (or a browser that drops backgrounds) would lose."""

from __future__ import annotations

# The PDF's colours (pdf/styles.py), as CSS.
_STYLE = """
:root { color: #111; background: #fff; }
body { margin: 0 auto; max-width: 42rem; padding: 1rem 1.25rem 2rem;
  font-family: 'Noto Sans', Arial, Helvetica, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC',
    'Apple SD Gothic Neo', 'Malgun Gothic', 'Noto Sans CJK KR', 'Droid Sans Fallback', sans-serif;
  font-size: 1.1875rem; line-height: 1.4;
  text-align: left; overflow-wrap: break-word; }
:lang(ko) body, body:lang(ko) { font-family: 'Noto Sans', Arial, Helvetica, 'Apple SD Gothic Neo',
  'Malgun Gothic', 'Noto Sans CJK KR', 'Droid Sans Fallback', sans-serif; word-break: keep-all; }
body.large-print { font-size: 1.5rem; max-width: 48rem; }
header.patient { border-bottom: 1px solid #555; margin-bottom: 1rem; padding-bottom: 0.4rem; }
header.patient p { margin: 0; }
.patient-line { font-weight: bold; }
.identifiers span { display: inline-block; margin-right: 1.5em; }
h1 { font-size: 1.6em; line-height: 1.2; margin: 0.2em 0 0.5em; }
h2 { font-size: 1.3em; line-height: 1.25; margin: 1.2em 0 0.4em; }
h3 { font-size: 1.1em; margin: 1em 0 0.3em; }
p { margin: 0 0 0.5em; }
ul, ol { margin: 0 0 0.6em; padding-left: 1.4em; }
li { margin-bottom: 0.3em; }
section.summary, section.call, section.emergency { margin: 1em 0; padding: 0.6em 0.9em; }
section.summary { border: 2px solid #1F4E79; background: #EAF1F8; }
section.call { border: 3px solid #6B4E00; background: #FFF6D9; }
section.emergency { border: 4px solid #9B1111; padding-top: 0; }
section.emergency h2 { background: #9B1111; color: #fff; margin: 0 -0.9em 0.5em; padding: 0.4em 0.9em; }
.with-picture { display: flex; flex-wrap: wrap; gap: 0 1.2em; align-items: flex-start; margin: 0.5em 0 0.8em; }
.with-picture figure { margin: 0; flex: 0 0 auto; max-width: 100%; min-width: 10em; }
.with-picture .beside { flex: 1 1 16em; min-width: 0; }
svg.picture { display: block; width: 100%; height: auto; }
figcaption { font-size: 0.9em; font-weight: bold; margin-top: 0.3em; }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist .box { font-size: 1.3em; line-height: 1; margin-right: 0.3em; }
.signature { display: flex; flex-wrap: wrap; gap: 0 1.5em; margin: 2em 0 0.8em; }
.signature .sign { flex: 2 1 14em; }
.signature .date { flex: 1 1 7em; }
.signature .line { display: block; height: 2.2em; border-bottom: 1.5px solid #111; }
.signature .label { font-size: 0.85em; }
.scan { margin-top: 1em; text-align: right; }
.scan svg { width: 7rem; height: 7rem; display: inline-block; }
.scan-text { font-size: 0.75em; overflow-wrap: anywhere; }
footer.document { border-top: 1px solid #555; margin-top: 2rem; padding-top: 0.4rem; font-size: 0.8em; }
footer.document span { display: inline-block; margin-right: 1.5em; }
@media print {
  @page { margin: 0.6in 0.75in; }
  body { max-width: none; padding: 0; font-size: 14pt; }
  header.patient { margin-bottom: 0.5em; }
  h1 { margin: 0 0 0.3em; }
  section.summary, section.call, section.emergency { margin: 0.5em 0; padding: 0.3em 0.7em; }
  li { margin-bottom: 0.1em; }
  .signature { margin: 1em 0 0.3em; }
  .signature .line { height: 1.8em; }
  .scan { margin-top: 0.3em; }
  footer.document { margin-top: 0.5em; }
  body.large-print { font-size: 18pt; }
  .page-break { break-after: page; }
  section.receipt { break-inside: avoid; }
  section.emergency, .with-picture figure, .signature { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  section.summary, section.call { background: none; border-color: #000; }
  section.emergency { border-color: #000; }
  section.emergency h2 { background: none; color: #000; border-bottom: 3px solid #000; }
  header.patient, footer.document { border-color: #000; }
}
"""


# Only in the pages of a site with a logo, so that every other page stays as it was, byte for byte. The
# logo floats at the header's right, as on the PDF's first page; it shrinks with a narrow window.
_LOGO_STYLE = """
header.with-logo { display: flow-root; }
header.with-logo img.logo { float: right; margin: 0 0 0.4rem 1rem; max-width: 40%; height: auto; }
"""


def style_sheet(with_logo: bool = False) -> str:
    rules = _STYLE.strip() + ("\n" + _LOGO_STYLE.strip() if with_logo else "")
    return " ".join(line.strip() for line in rules.splitlines())
