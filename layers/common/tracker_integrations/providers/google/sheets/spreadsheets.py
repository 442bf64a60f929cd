"""What the Sheets client answers about whole spreadsheets: one's tabs, a user's spreadsheets, a new one.

Apart from the client: a sync reads and writes one tab it already knows, so it builds these only when
it must look the spreadsheet up again; choosing and creating spreadsheets (the setup) builds them.
"""

from pydantic import BaseModel, ConfigDict


class SheetProperties(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    sheet_id: int
    title: str
    index: int
    row_count: int = 0
    column_count: int = 0


class SpreadsheetSummary(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    spreadsheet_id: str
    name: str
    url: str = ""
    modified_time: str | None = None


class SpreadsheetInfo(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    spreadsheet_id: str
    title: str
    url: str
    sheets: list[SheetProperties]
