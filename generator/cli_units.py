"""`jxzp units`: the accounts of a bureau's web server — import the list of units, list, reset a password, disable."""
from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

import click

from .cli_types import Folder, InputFile, NewFile


def _work_dir(work_dir: Path | None) -> Path:
    return work_dir or Path(tempfile.gettempdir()) / "jxzp-web"


WORK_DIR = click.option("--work-dir", type=Folder("--work-dir D:/jxzp"),
                        help="网页服务的工作文件夹，与 jxzp serve --work-dir 相同（默认：系统临时文件夹下的 jxzp-web）。")


def _open(work_dir: Path | None):
    from .web.accounts import Accounts, Database

    folder = _work_dir(work_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return Accounts(Database(folder))
    except (OSError, sqlite3.Error) as exc:
        click.echo(f"无法使用文件夹 {folder}（{exc}）：请用 --work-dir 指定 jxzp serve 使用的可写文件夹", err=True)
        sys.exit(2)


def _known(accounts, name: str):
    found = accounts.get(name)
    if found is None:
        click.echo(f"没有账号“{name}”：用 jxzp units list 查看全部账号", err=True)
        sys.exit(2)
    return found


@click.group("units")
def units_group() -> None:
    """网页服务的单位账号：由财政局的单位名单建立账号，各单位登录后只看到本单位的材料。"""


@units_group.command("import")
@click.argument("roster", type=InputFile())
@WORK_DIR
@click.option("-o", "--output", type=NewFile("-o 账号.xlsx"), required=True,
              help="写出账号表（单位名称、账号、初始密码），交给各单位。")
def units_import(roster: Path, work_dir: Path | None, output: Path) -> None:
    """由单位名单 ROSTER（.xlsx，表头有“单位名称”，可有“单位代码”“联系人”）为每个单位和财政局建立账号。

    再次导入时只为新单位建立账号，已有账号和密码不变。初始密码只写在账号表中（服务器只存其散列），
    各单位首次登录后须修改密码。
    """
    from .web.accounts import import_units
    from .web.roster import RosterError, read_roster, write_accounts_sheet

    if output.exists():
        click.echo(f"{output} 已存在（其中可能有上次导入的初始密码，覆盖后无法找回）：请换一个文件名", err=True)
        sys.exit(2)
    try:
        units = read_roster(roster)
    except RosterError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    accounts = _open(work_dir)
    try:
        rows = import_units(accounts, units)
        write_accounts_sheet(rows, output)
    except OSError as exc:
        click.echo(f"无法写入 {output}（{exc.strerror or exc}）：账号已建立，请用 jxzp units reset-password 重新生成"
                   "新单位的初始密码", err=True)
        sys.exit(2)
    new = sum(1 for row in rows if row[2])
    click.echo(f"已建立 {new} 个新账号，{len(rows) - new} 个已有账号不变；账号和初始密码写在 {output}，"
               f"请分发给各单位后妥善保管或删除。启动：jxzp serve --work-dir {_work_dir(work_dir)} --host 0.0.0.0")


@units_group.command("list")
@WORK_DIR
def units_list(work_dir: Path | None) -> None:
    """列出全部账号：账号、单位、状态。"""
    import time

    accounts = _open(work_dir)
    now = time.time()
    found = accounts.all()
    if not found:
        click.echo("还没有账号：用 jxzp units import 单位名单.xlsx -o 账号.xlsx 建立")
        return
    for account in found:
        state = ("已停用" if account.disabled else
                 f"已锁定至 {time.strftime('%H:%M', time.localtime(account.locked_until))}" if account.locked(now) else
                 "待修改初始密码" if account.must_change else "正常")
        role = "财政局" if account.bureau else "单位"
        click.echo(f"{account.account}\t{role}\t{account.unit}\t{state}")


@units_group.command("reset-password")
@click.argument("account")
@WORK_DIR
def units_reset(account: str, work_dir: Path | None) -> None:
    """为账号 ACCOUNT 生成新的初始密码（解除锁定；该账号已登录的页面随即退出）。"""
    accounts = _open(work_dir)
    found = _known(accounts, account)
    password = accounts.reset_password(found.account)
    click.echo(f"{found.unit}（{found.account}）的新初始密码：{password}　首次登录后须修改")


@units_group.command("disable")
@click.argument("account")
@WORK_DIR
@click.option("--undo", is_flag=True, help="重新启用已停用的账号。")
def units_disable(account: str, work_dir: Path | None, undo: bool) -> None:
    """停用账号 ACCOUNT（已登录的页面随即退出；上传的材料保留）。"""
    accounts = _open(work_dir)
    found = _known(accounts, account)
    accounts.set_disabled(found.account, not undo)
    click.echo(f"已{'重新启用' if undo else '停用'}账号 {found.account}（{found.unit}）")
