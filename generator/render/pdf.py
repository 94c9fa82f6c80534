"""PDF through LibreOffice: every .docx of a package converted in one batch call of soffice."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

INSTALL_HINT = ("生成 PDF 需要 LibreOffice，但本机找不到 soffice 命令：请安装后重试"
                "（Debian/Ubuntu：sudo apt-get install -y libreoffice-writer-nogui fonts-noto-cjk；"
                "Windows/macOS：从 LibreOffice 官网安装并把 soffice 加入 PATH），或去掉 --format 中的 pdf")
TIMEOUT_S = 900
FIXED_PLACES = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                "/Applications/LibreOffice.app/Contents/MacOS/soffice",
                "C:/Program Files/LibreOffice/program/soffice.exe")
FONTS_CONF = Path(__file__).with_name("fonts.conf")


class PdfError(RuntimeError):
    """LibreOffice is missing or could not convert; the message says what to do, in Chinese."""


def soffice() -> str | None:
    """The LibreOffice binary, if installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in FIXED_PLACES:
        if Path(candidate).is_file():
            return candidate
    return None


def convert(documents: list[Path]) -> dict[Path, Path]:
    """Convert .docx files to PDF next to them, in one soffice call; returns docx → pdf."""
    if not documents:
        return {}
    binary = soffice()
    if binary is None:
        raise PdfError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="jxzp-pdf-") as work:
        work_dir = Path(work)
        out_dir = work_dir / "pdf"
        out_dir.mkdir()
        # Same base names in different folders would overwrite each other in one --outdir: link under unique names.
        staged: dict[Path, Path] = {}
        for i, doc in enumerate(documents):
            link = work_dir / f"{i:03d}.docx"
            shutil.copyfile(doc, link)
            staged[doc] = link
        env = dict(os.environ)
        if FONTS_CONF.is_file() and "FONTCONFIG_FILE" not in env:
            env["FONTCONFIG_FILE"] = str(FONTS_CONF)  # map 仿宋_GB2312/黑体/楷体 to installed CJK fonts
        command = [binary, f"-env:UserInstallation={(work_dir / 'profile').as_uri()}", "--headless",
                   "--convert-to", "pdf", "--outdir", str(out_dir), *(str(p) for p in staged.values())]
        logger.info("LibreOffice：%s", " ".join(command))
        try:
            output, errors = _run(command, env)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice 转换 PDF 超过 {TIMEOUT_S} 秒仍未完成：请关闭其他 LibreOffice 窗口后重试") from None
        except OSError as exc:
            raise PdfError(f"无法运行 LibreOffice（{exc}）：{INSTALL_HINT}") from None
        result: dict[Path, Path] = {}
        missing = []
        for doc, link in staged.items():
            produced = out_dir / (link.stem + ".pdf")
            if not produced.is_file():
                missing.append(doc.name)
                continue
            target = doc.with_suffix(".pdf")
            shutil.move(str(produced), target)
            result[doc] = target
        if missing:
            detail = (errors or output or "").strip().splitlines()[-1:] or [""]
            raise PdfError(f"LibreOffice 未能把 {'、'.join(missing)} 转成 PDF（{detail[0]}）：请确认 LibreOffice 可以正常打开这些文件")
    return result


def _run(command: list[str], env: dict[str, str]) -> tuple[str, str]:
    """Run soffice in a process group of its own, and end the whole group if it overruns or we are interrupted.

    soffice is a launcher: the converting soffice.bin is its child, and killing the launcher alone (what
    subprocess.run does on a timeout) leaves that child running, holding its profile and the CPU."""
    posix = os.name == "posix"
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=posix)
    try:
        return process.communicate(timeout=TIMEOUT_S)
    except BaseException:
        if posix:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False)
            process.kill()
        for stream in (process.stdout, process.stderr):
            stream.close()   # a survivor holding the pipes must not keep us waiting
        process.wait()
        raise
