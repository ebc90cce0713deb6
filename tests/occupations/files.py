"""A small occupations file of our own (real codes and names of the 2022 classification, aliases
as job ads write them), as CSV and JSON, for the occupations' tests."""

from __future__ import annotations

import json

CSV = """code,name,name_en,level,definition,aliases
4-00-00-00,社会生产服务和生活服务人员,Social production and life service workers,,,
4-04-00-00,信息传输、软件和信息技术服务人员,"Information transmission, software and IT service workers",,,
4-04-05-00,信息通信网络运行管理人员,,,,
4-04-05-02,计算机软件测试员,Software tester,,从事计算机软件测试的人员。,测试工程师；软件测试；QA
4-04-05-04,数据库运行管理员S,Database administrator,,对数据库进行维护及管理的人员。,DBA
4-08-00-00,技术辅助服务人员,,,,
4-08-08-00,专业化设计服务人员,,,,
4-08-08-23,建筑信息模型技术员L/S,BIM technician,,使用计算机软件进行模拟建造的人员。,BIM工程师、建筑信息模型设计师
2-02-10-03,计算机软件工程技术人员,Software engineer,,,Java开发,前端开发,软件工程师
"""
"""Nine rows: groups and occupations, marks, aliases separated three ways; 2-02-10-03's parents
are not in the file."""

JSON = json.dumps(
    {
        "occupations": [
            {
                "code": "4-08-08-23",
                "name": "建筑信息模型技术员",
                "name_en": "BIM technician",
                "aliases": ["BIM工程师", "建筑信息模型设计师", "BIM建模员"],
            },
            {"code": "6-29-01-01", "name": "砌筑工", "aliases": ["瓦工"]},
        ]
    },
    ensure_ascii=False,
)
"""A second source: one occupation of the CSV with another alias, and a new one."""
