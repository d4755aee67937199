"""PDF/A-2b (ISO 19005-2, level B), the format document archives keep: what ReportLab does not write by
itself, added while it writes, so a document is archival as it comes out, with no second pass.

- An sRGB output intent: the document's colours are RGB, and PDF/A wants them tied to a colour space. The
  profile (colour/sRGB.icc, 588 bytes) is LittleCMS's built-in sRGB (IEC 61966-2-1), made once with
  Pillow's ImageCms.createProfile("sRGB") and its creation date set to 2000-01-01 (see colour/README.txt);
  shipped rather than made at run time, so the bytes do not change with the LittleCMS version installed.
- XMP metadata that says PDF/A-2b and repeats the Info dictionary (title, author, subject, keywords,
  creator, producer, dates): the same generic words, never patient data.
- An end-of-line before each `endstream`, as PDF/A requires (ReportLab writes the keyword right after the
  data); the stream's Length stays the data's.
- No empty /Trans dictionary on pages (ReportLab writes one where no page transition was asked for).
- Only embedded fonts: documents start pages in the document font (document_template's initialFontName).

The same output intent and metadata go into a batch's packet (`archival_packet`), built with pypdf, when
its --insert PDF, if any, says it is PDF/A too (`declares_pdfa`).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import html
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFCatalog,
    PDFDictionary,
    PDFDocument,
    PDFName,
    PDFStream,
    PDFString,
)

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter

PROFILE_PATH = Path(__file__).resolve().parent / "colour" / "sRGB.icc"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
# ReportLab's invariant date (page.InvariantTime), the one Info carries, as XMP writes dates.
INVARIANT_DATE = "2000-01-01T00:00:00Z"


@functools.cache
def srgb_profile() -> bytes:
    return PROFILE_PATH.read_bytes()


@functools.cache
def _compressed_profile() -> bytes:
    return zlib.compress(srgb_profile(), 9)


class ArchivalCatalog(PDFCatalog):  # type: ignore[misc]
    """ReportLab's catalog, which writes only the keys it lists, with OutputIntents among them."""

    __NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]
    __Refs__ = [*PDFCatalog.__Refs__]  # OutputIntents is an array, written in place


def _xml_text(text: str) -> str:
    """`text` as XML character data: escaped, and without the control characters XML cannot hold."""
    # html, not xml.sax.saxutils: that loads urllib.request, a cost every command would pay at start.
    return html.escape("".join(char for char in text if char >= " " or char in "\t\n\r"), quote=False)


def xmp_packet(
    *,
    title: str,
    author: str,
    subject: str,
    keywords: str,
    creator: str,
    producer: str,
    language: str | None,
    created: str | None,
    universal_access: bool = False,
) -> bytes:
    """The XMP metadata of a PDF/A-2b document, as UTF-8: its identification and the Info dictionary's
    entries again, which PDF/A requires to agree. `created`: the creation and modification date, if Info
    has them. `universal_access`: a tagged document, PDF/UA-1 too (its identification, with the schema
    PDF/A asks for any property it does not know)."""
    author_xml = (
        f"<dc:creator><rdf:Seq><rdf:li>{_xml_text(author)}</rdf:li></rdf:Seq></dc:creator>" if author else ""
    )
    language_xml = (
        f"<dc:language><rdf:Bag><rdf:li>{_xml_text(language)}</rdf:li></rdf:Bag></dc:language>"
        if language
        else ""
    )
    dates_xml = (
        f"<xmp:CreateDate>{created}</xmp:CreateDate><xmp:ModifyDate>{created}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{created}</xmp:MetadataDate>"
        if created
        else ""
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about=""'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/">\n'
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>\n"
        + (UNIVERSAL_ACCESS_XMP if universal_access else "")
        + f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{_xml_text(title)}</rdf:li></rdf:Alt></dc:title>\n'
        + (
            f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{_xml_text(subject)}</rdf:li></rdf:Alt>'
            "</dc:description>\n"
            if subject
            else ""
        )
        + (f"{author_xml}\n" if author_xml else "")
        + (f"{language_xml}\n" if language_xml else "")
        + "<dc:format>application/pdf</dc:format>\n"
        + (f"<pdf:Keywords>{_xml_text(keywords)}</pdf:Keywords>\n" if keywords else "")
        + f"<pdf:Producer>{_xml_text(producer)}</pdf:Producer>\n"
        + (f"<xmp:CreatorTool>{_xml_text(creator)}</xmp:CreatorTool>\n" if creator else "")
        + (f"{dates_xml}\n" if dates_xml else "")
        + "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="r"?>\n'
    )
    return packet.encode("utf-8")


# PDF/UA-1's identification, and its schema described as PDF/A-2 wants for a property outside its own
# predefined schemas (ISO 19005-2, 6.6.2.3): the wording veraPDF and ISO 14289-1's examples use.
UNIVERSAL_ACCESS_XMP = (
    '<pdfuaid:part xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">1</pdfuaid:part>\n'
    '<pdfaExtension:schemas xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><rdf:Bag><rdf:li rdf:parseType="Resource">'
    "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
    '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    "<pdfaProperty:name>part</pdfaProperty:name>"
    "<pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    "<pdfaProperty:category>internal</pdfaProperty:category>"
    "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>"
    "</rdf:li></rdf:Seq></pdfaSchema:property>"
    "</rdf:li></rdf:Bag></pdfaExtension:schemas>\n"
)


def _metadata_stream(xmp: bytes) -> PDFStream:
    """XMP in a stream of its own, unfiltered (archives and indexers read it as it is)."""
    dictionary = PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")})
    return PDFStream(dictionary, xmp)


def make_archival(document: PDFDocument, tagged: bool = False) -> None:
    """Give a ReportLab document, before it is written, what PDF/A-2b needs beyond what ReportLab writes:
    the sRGB output intent, the XMP metadata (from its Info), and no empty page transitions. Only this
    document changes: nothing of ReportLab's is replaced for other users in the process. `tagged`: the
    document is tagged (tagging.py), and its metadata says PDF/UA-1 too."""
    info = document.info
    language = getattr(document.Catalog, "Lang", None)  # a PDFString, where the document has a language
    document.Catalog.__class__ = ArchivalCatalog
    profile = PDFStream(
        PDFDictionary({"N": 3, "Filter": PDFArray([PDFName("FlateDecode")])}), _compressed_profile()
    )
    document.Catalog.OutputIntents = PDFArray(
        [
            PDFDictionary(
                {
                    "Type": PDFName("OutputIntent"),
                    "S": PDFName("GTS_PDFA1"),
                    "OutputConditionIdentifier": PDFString(OUTPUT_CONDITION),
                    "Info": PDFString(OUTPUT_CONDITION),
                    "DestOutputProfile": document.Reference(profile),
                }
            )
        ]
    )
    xmp = xmp_packet(
        title=info.title,
        author=info.author,
        subject=info.subject,
        keywords=info.keywords,
        creator=info.creator,
        producer=info.producer,
        language=None if language is None else str(language.s),
        created=INVARIANT_DATE,
        universal_access=tagged,
    )
    document.Catalog.Metadata = _metadata_stream(xmp)
    for page in document.Pages.pages:
        transition = getattr(page, "Trans", None)
        if isinstance(transition, PDFDictionary) and not transition.dict:
            page.Trans = None


# ReportLab writes each stream as `<<dictionary>>\nstream\n` DATA `endstream\n`, Length = len(DATA).
_STREAM_START = re.compile(rb"\nstream\n")
_LENGTH = re.compile(rb"/Length (\d+)")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) n ")
_STARTXREF = re.compile(rb"startxref\n(\d+)\n")


def with_stream_eols(pdf: bytes) -> bytes:
    """`pdf` (as ReportLab writes it) with an end-of-line between each stream's data and its `endstream`,
    the cross-reference table's offsets moved to match. Each stream is stepped over by its Length, so
    data that happens to contain the keyword is never mistaken for its end."""
    parts: list[bytes] = []
    inserted: list[int] = []  # where each end-of-line went, in the input's offsets
    position = 0  # copied up to here
    while (found := _STREAM_START.search(pdf, position + 9 if inserted else 0)) is not None:
        object_start = pdf.rfind(b" obj\n", 0, found.start())
        lengths = list(_LENGTH.finditer(pdf, object_start, found.start()))
        if not lengths:
            raise AssertionError("a stream without a direct /Length")  # ReportLab always writes one
        data_end = found.end() + int(lengths[-1].group(1))
        if pdf[data_end : data_end + 9] != b"endstream":
            raise AssertionError("a stream's Length does not end at endstream")  # a programming error
        parts.append(pdf[position:data_end])
        parts.append(b"\n")
        inserted.append(data_end)
        position = data_end
    parts.append(pdf[position:])
    fixed = b"".join(parts)

    def moved(offset: int) -> int:
        # `inserted` is in ascending order: bisect counts the end-of-lines before `offset` (a tagged
        # document has some 140 more objects, each counted against every stream).
        return offset + bisect.bisect_left(inserted, offset)

    xref = fixed.rfind(b"\nxref\n")
    table_end = fixed.find(b"trailer", xref)
    table = _XREF_ENTRY.sub(
        lambda entry: b"%010d %s n " % (moved(int(entry.group(1))), entry.group(2)), fixed[xref:table_end]
    )
    tail = _STARTXREF.sub(lambda start: b"startxref\n%d\n" % moved(int(start.group(1))), fixed[table_end:])
    return fixed[:xref] + table + tail


# An insert's own claim, in its XMP: pdfaid:part as an element or as an attribute.
_PDFA_PART = re.compile(rb"pdfaid:part(?:>\s*|\s*=\s*[\"'])\s*([0-9]+)")


def declares_pdfa(reader: PdfReader) -> bool:
    """Whether a PDF (an --insert, read by pypdf) says in its XMP metadata that it is PDF/A-1 or PDF/A-2,
    at any level, and has no output intent but an RGB one: its pages may then join a PDF/A-2b packet, whose
    output intent is sRGB. The claim is taken as made, not checked (docs/pdfa.md says how to check an
    insert once). PDF/A-3 is not taken: it may carry embedded files, which PDF/A-2 refuses."""
    from pypdf.errors import PyPdfError

    try:
        root: Any = reader.trailer["/Root"].get_object()
        metadata = root.get("/Metadata")
        data = b"" if metadata is None else metadata.get_object().get_data()
        found = _PDFA_PART.search(data)
        if found is None or found.group(1) not in (b"1", b"2"):
            return False
        for intent in root.get("/OutputIntents", None) or []:
            profile = intent.get_object().get("/DestOutputProfile")
            if profile is not None and profile.get_object().get("/N") != 3:
                return False  # a CMYK or grey output intent: its device colours are not ours
    except (PyPdfError, AttributeError, KeyError, TypeError, ValueError, zlib.error):
        return False  # metadata it cannot read makes no claim
    return True


def archival_packet(writer: PdfWriter, identity: bytes, archival: bool = True) -> None:
    """The output intent, XMP metadata (agreeing with the Info dictionary) and file identifier of PDF/A-2b
    in a packet pypdf writes from our documents (PDF/A-2b themselves). `identity`: what the packet is made
    of (its documents' own identifiers, its bookmarks, its padding); the identifier is a digest of it, so
    the same packet gets the same bytes and no patient text shows. `archival` False (an insert that is not
    PDF/A, see declares_pdfa): the identifier only, and no claim to be PDF/A that the packet cannot keep."""
    digest = hashlib.sha256(identity).digest()[:16]
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    if not archival:
        return
    profile = DecodedStreamObject()
    profile.set_data(srgb_profile())
    profile[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): TextStringObject(OUTPUT_CONDITION),
            NameObject("/Info"): TextStringObject(OUTPUT_CONDITION),
            NameObject("/DestOutputProfile"): writer._add_object(profile),
        }
    )
    writer._root_object[NameObject("/OutputIntents")] = ArrayObject([intent])
    info: Any = writer.metadata or {}
    xmp = xmp_packet(
        title=str(info.get("/Title", "")),
        author=str(info.get("/Author", "")),
        subject=str(info.get("/Subject", "")),
        keywords=str(info.get("/Keywords", "")),
        creator=str(info.get("/Creator", "")),
        producer=str(info.get("/Producer", "")),
        language=None,
        created=None,
    )
    metadata = DecodedStreamObject()
    metadata.set_data(xmp)
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(metadata)
