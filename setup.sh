#!/usr/bin/env bash
# 安装 jxzp 及其依赖到 .venv（Debian/Ubuntu 上同时用 apt-get 安装中文字体和 LibreOffice）。
#   ./setup.sh          运行所需（中文字体、LibreOffice 用于 PDF）
#   ./setup.sh --test   另装测试所需（pytest、hypothesis、poppler-utils，网页端到端测试用的 chromium）
set -euo pipefail
cd "$(dirname "$0")"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

apt_packages="fonts-noto-cjk libreoffice-writer-nogui libreoffice-calc-nogui"
[ "$want_test" = 1 ] && apt_packages="$apt_packages poppler-utils chromium"
if command -v apt-get >/dev/null 2>&1; then
  missing=""
  for p in $apt_packages; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  fi
else
  echo "提示：非 Debian/Ubuntu 系统，请自行安装中文字体（如 Noto Sans CJK）；生成 PDF 需安装 LibreOffice。" >&2
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
target="."
[ "$want_test" = 1 ] && target=".[test]"
# pip's own chatter (build-backend notices) only when something went wrong
log=$(mktemp)
if ! .venv/bin/python -m pip install -q -e "$target" >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; echo "安装失败：见上面的 pip 输出" >&2; exit 1
fi
rm -f "$log"
echo "安装完成：.venv/bin/jxzp"
